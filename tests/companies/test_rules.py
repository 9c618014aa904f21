import pytest

from companies import rules as company_rules
from tests.factories import CompanyMemberFactory

pytestmark = pytest.mark.django_db


def test_member_and_owner_predicates(company_a, company_b, owner_a, member_a, coordinator):
    assert company_rules.is_company_member(owner_a, company_a)
    assert company_rules.is_company_member(member_a, company_a)
    assert not company_rules.is_company_member(owner_a, company_b)
    assert not company_rules.is_company_member(coordinator, company_a)
    assert company_rules.is_company_owner(owner_a, company_a)
    assert not company_rules.is_company_owner(member_a, company_a)
    assert not company_rules.is_company_owner(owner_a, company_b)
    assert not company_rules.is_company_member(owner_a, None)


def test_requested_membership_is_not_membership(company_a):
    pending = CompanyMemberFactory(company=company_a, status="requested").user
    assert not company_rules.is_company_member(pending, company_a)
    assert not company_rules.has_no_company(pending)  # but they cannot register another


def test_has_no_company_and_funder(newcomer, owner_a, funder_user, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert company_rules.has_no_company(newcomer)
    assert not company_rules.has_no_company(owner_a)
    assert not company_rules.has_no_company(AnonymousUser())
    assert company_rules.is_funder(funder_user)
    assert not company_rules.is_funder(newcomer)
    assert not company_rules.is_funder(AnonymousUser())


PERMS = [
    "companies.list_companies",
    "companies.add_consultation",
    "companies.import_companies",
    "companies.export_companies",
]


@pytest.mark.parametrize("perm", PERMS)
def test_coordinator_only_perms(perm, coordinator, owner_a, newcomer, funder_user, company_a):
    assert coordinator.has_perm(perm, company_a)
    for user in (owner_a, newcomer, funder_user):
        assert not user.has_perm(perm, company_a)


def test_object_perms(coordinator, owner_a, member_a, owner_b, company_a, funder_user):
    for perm in ("companies.view_company", "companies.change_company"):
        assert coordinator.has_perm(perm, company_a)
        assert owner_a.has_perm(perm, company_a)
        assert member_a.has_perm(perm, company_a)
        assert not owner_b.has_perm(perm, company_a)
        assert not funder_user.has_perm(perm, company_a)
    assert coordinator.has_perm("companies.manage_members", company_a)
    assert owner_a.has_perm("companies.manage_members", company_a)
    assert not member_a.has_perm("companies.manage_members", company_a)
    assert not owner_b.has_perm("companies.manage_members", company_a)


def test_add_company_and_join(coordinator, owner_a, newcomer, funder_user):
    assert coordinator.has_perm("companies.add_company")
    assert newcomer.has_perm("companies.add_company")
    assert not owner_a.has_perm("companies.add_company")
    assert not funder_user.has_perm("companies.add_company")
    assert newcomer.has_perm("companies.join_company")
    assert not coordinator.has_perm("companies.join_company")
    assert not owner_a.has_perm("companies.join_company")
    assert not funder_user.has_perm("companies.join_company")


def test_companies_visible_to(coordinator, owner_a, owner_b, company_a, company_b, newcomer):
    from django.contrib.auth.models import AnonymousUser

    from companies.selectors import companies_visible_to

    assert set(companies_visible_to(coordinator)) == {company_a, company_b}
    assert list(companies_visible_to(owner_a)) == [company_a]
    assert list(companies_visible_to(owner_b)) == [company_b]
    assert not companies_visible_to(newcomer).exists()
    assert not companies_visible_to(AnonymousUser()).exists()
