from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from companies.models import (
    AssociatedEnterprise,
    Company,
    CompanyInvitation,
    CompanyMember,
    Consultation,
)
from tests.factories import (
    CompanyFactory,
    CompanyInvitationFactory,
    CompanyMemberFactory,
    ConsultationFactory,
    NetworkMembershipFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

VALID_COMPANY = {
    "name": "Calenberger Holzbau GmbH",
    "legal_form": "GmbH",
    "register_number": "HRB 12345",
    "street": "Am Sägewerk 3",
    "postcode": "30952",
    "city": "Ronnenberg",
    "municipality": "Ronnenberg",
    "sector": "F",
    "sector_code": "43.32",
    "kind": "sme",
    "headcount": "8",
    "annual_turnover": "900000",
    "balance_sheet_total": "",
    "figures_year": "2025",
    "enterprise_type": "autonomous",
    "website": "https://holzbau.example",
    "contact_consent": "on",
}


def formset_data(prefix="associated", rows=(), initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


# --- onboarding: register or join --------------------------------------------------------------


def test_mine_leads_newcomer_to_register_or_join(client, newcomer):
    client.force_login(newcomer)
    response = client.get(reverse("companies:mine"))
    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("companies:create") in content
    assert reverse("companies:join") in content


def test_mine_redirects_member_to_company(client, owner_a, company_a):
    client.force_login(owner_a)
    response = client.get(reverse("companies:mine"))
    assert response.status_code == 302
    assert response.url == company_a.get_absolute_url()


def test_newcomer_registers_company_and_becomes_owner(client, newcomer):
    topic = TopicFactory()
    client.force_login(newcomer)
    response = client.post(
        reverse("companies:create"), {**VALID_COMPANY, "training_needs": [topic.pk]}
    )
    company = Company.objects.get()
    assert response.status_code == 302
    assert response.url == company.get_absolute_url()
    assert company.size_class_stored == "micro"
    assert list(company.training_needs.all()) == [topic]
    assert CompanyMember.objects.get(user=newcomer).role == "owner"
    page = client.get(company.get_absolute_url()).content.decode()
    assert "Calenberger Holzbau GmbH" in page


def test_coordinator_registers_company_without_becoming_member(coordinator_client, coordinator):
    response = coordinator_client.post(reverse("companies:create"), VALID_COMPANY)
    assert response.status_code == 302
    assert Company.objects.count() == 1
    assert not CompanyMember.objects.exists()


def test_join_search_request_and_owner_answers(
    client, newcomer, owner_a, company_a, company_b, django_capture_on_commit_callbacks
):
    client.force_login(newcomer)
    page = client.get(reverse("companies:join"), {"q": "alpha"}).content.decode()
    assert company_a.name in page
    assert company_b.name not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("companies:join"), {"company": company_a.pk})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[owner_a.email]]
    pending = CompanyMember.objects.get(user=newcomer)
    assert pending.status == "requested"
    # The person sees the pending request and still no company pages.
    assert "Alpha" in client.get(reverse("companies:mine")).content.decode()
    assert client.get(company_a.get_absolute_url()).status_code == 404

    client.force_login(owner_a)
    members_page = client.get(reverse("companies:members", args=[company_a.pk])).content.decode()
    assert newcomer.email in members_page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("companies:members", args=[company_a.pk]),
            {"action": "accept", "membership": pending.pk},
        )
    pending.refresh_from_db()
    assert pending.status == "active"
    assert mail.outbox[-1].to == [newcomer.email]


def test_join_search_rejects_markup_and_short_queries(client, newcomer, company_a):
    client.force_login(newcomer)
    for query in ("<script>alert(1)</script>", "a"):
        response = client.get(reverse("companies:join"), {"q": query})
        assert response.status_code == 200
        assert company_a.name not in response.content.decode()
        assert "errorlist" in response.content.decode()


def test_withdraw_join_request(client, newcomer, company_a):
    client.force_login(newcomer)
    client.post(reverse("companies:join"), {"company": company_a.pk})
    client.post(reverse("companies:mine"), {"action": "withdraw"})
    assert not CompanyMember.objects.filter(user=newcomer).exists()


def test_join_unknown_company_is_404(client, newcomer):
    client.force_login(newcomer)
    assert client.post(reverse("companies:join"), {"company": 999999}).status_code == 404
    assert not CompanyMember.objects.exists()


# --- invitations -------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_owner_invites_colleague_who_accepts(
    client, owner_a, company_a, django_capture_on_commit_callbacks
):
    client.force_login(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("companies:members", args=[company_a.pk]),
            {"action": "invite", "invite-email": "kollege@example.org"},
        )
    assert response.status_code == 302
    invitation = CompanyInvitation.objects.get()
    link = f"/companies/invitations/{invitation.token}/"
    assert link in mail.outbox[0].body

    colleague = UserFactory(email="kollege@example.org")
    client.force_login(colleague)
    assert company_a.name in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302
    assert CompanyMember.objects.get(user=colleague).company == company_a
    # The link works once.
    assert "already been used" in client.get(link).content.decode()


@pytest.mark.usefixtures("english")
def test_invitation_for_another_address_is_refused(client, company_a):
    invitation = CompanyInvitationFactory(company=company_a, email="richtig@example.org")
    client.force_login(UserFactory(email="falsch@example.org"))
    response = client.post(f"/companies/invitations/{invitation.token}/")
    assert "another e-mail address" in response.content.decode()
    assert not CompanyMember.objects.exists()


def test_invitation_unknown_token_is_404_and_anonymous_goes_to_login(client):
    invitation = CompanyInvitationFactory()
    response = client.get(f"/companies/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
    client.force_login(UserFactory())
    assert client.get("/companies/invitations/nope/").status_code == 404


@pytest.mark.parametrize("email", ["", "not-an-address", "a@" + "b" * 250 + ".de", "<script>@x.de"])
def test_invite_bad_email_shows_field_error(client, owner_a, company_a, email):
    client.force_login(owner_a)
    response = client.post(
        reverse("companies:members", args=[company_a.pk]),
        {"action": "invite", "invite-email": email},
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not CompanyInvitation.objects.exists()
    assert not mail.outbox


# --- members page ------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_members_change_role_and_remove(client, owner_a, member_a, company_a):
    client.force_login(owner_a)
    url = reverse("companies:members", args=[company_a.pk])
    member = CompanyMember.objects.get(user=member_a)
    client.post(url, {"action": "role", "membership": member.pk, "role": "owner"})
    member.refresh_from_db()
    assert member.role == "owner"
    owner = CompanyMember.objects.get(user=owner_a)
    client.post(url, {"action": "remove", "membership": member.pk, "confirmed": "1"})
    assert not CompanyMember.objects.filter(pk=member.pk).exists()
    # Now the last owner: cannot demote themselves.
    response = client.post(
        url, {"action": "role", "membership": owner.pk, "role": "member"}, follow=True
    )
    owner.refresh_from_db()
    assert owner.role == "owner"
    assert "at least one owner" in response.content.decode()


def test_members_page_cannot_touch_other_company(client, owner_a, owner_b, company_a):
    client.force_login(owner_a)
    other = CompanyMember.objects.get(user=owner_b)
    response = client.post(
        reverse("companies:members", args=[company_a.pk]),
        {"action": "remove", "membership": other.pk, "confirmed": "1"},
    )
    assert response.status_code == 404
    assert CompanyMember.objects.filter(pk=other.pk).exists()


def test_plain_member_cannot_manage_members(client, member_a, company_a):
    client.force_login(member_a)
    assert client.get(reverse("companies:members", args=[company_a.pk])).status_code == 403


# --- company pages for representatives --------------------------------------------------------


def test_rep_sees_own_company_not_others(client, owner_a, company_a, company_b):
    NetworkMembershipFactory(company=company_a, network__name="Verbund Robotik")
    client.force_login(owner_a)
    page = client.get(company_a.get_absolute_url()).content.decode()
    assert company_a.name in page
    assert "Verbund Robotik" in page
    assert company_b.name not in page
    for name in ("detail", "edit", "members"):
        assert client.get(reverse(f"companies:{name}", args=[company_b.pk])).status_code == 404


def test_rep_does_not_see_consultation_minutes(client, owner_a, company_a):
    ConsultationFactory(company=company_a, minutes="Vertrauliche Notiz")
    client.force_login(owner_a)
    assert "Vertrauliche Notiz" not in client.get(company_a.get_absolute_url()).content.decode()


def test_rep_edits_profile_and_associated_enterprises(client, owner_a, company_a):
    client.force_login(owner_a)
    url = reverse("companies:edit", args=[company_a.pk])
    assert client.get(url).status_code == 200
    data = {
        **VALID_COMPANY,
        "name": company_a.name,
        "headcount": "40",
        **formset_data(
            rows=[
                {
                    "name": "Mutter Holding",
                    "relation": "linked",
                    "share_percent": "80",
                    "headcount": "15",
                    "annual_turnover": "100000",
                    "balance_sheet_total": "100000",
                }
            ]
        ),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    company_a.refresh_from_db()
    assert company_a.associated_headcount == 15
    assert company_a.size_class_stored == "medium"  # 40 + 15 staff

    enterprise = AssociatedEnterprise.objects.get()
    delete = {
        **VALID_COMPANY,
        "name": company_a.name,
        "headcount": "40",
        **formset_data(
            rows=[
                {
                    "id": enterprise.pk,
                    "company": company_a.pk,
                    "name": "Mutter Holding",
                    "relation": "linked",
                    "share_percent": "80",
                    "headcount": "15",
                    "annual_turnover": "100000",
                    "balance_sheet_total": "100000",
                    "DELETE": "on",
                }
            ],
            initial=1,
        ),
    }
    assert client.post(url, delete).status_code == 302
    company_a.refresh_from_db()
    assert not AssociatedEnterprise.objects.exists()
    assert company_a.size_class_stored == "small"


BAD_COMPANY_INPUT = [
    ("name", "", "name"),
    ("city", "", "city"),
    ("headcount", "", "headcount"),
    ("name", "x" * 201, "name"),
    ("street", "y" * 201, "street"),
    ("headcount", "-1", "headcount"),
    ("headcount", "zwölf", "headcount"),
    ("annual_turnover", "-5", "annual_turnover"),
    ("website", "not a url", "website"),
    ("website", "javascript:alert(1)", "website"),
    ("website", "ftp://files.example", "website"),
    ("postcode", "3O159", "postcode"),
    ("name", "<script>alert(1)</script>", "name"),
    ("city", "<b>Hannover</b>", "city"),
    ("sector", "Z", "sector"),
    ("municipality", "Berlin", "municipality"),
    ("figures_year", "1800", "figures_year"),
]


@pytest.mark.parametrize(("field", "value", "error_field"), BAD_COMPANY_INPUT)
def test_create_company_bad_input(client, newcomer, field, value, error_field):
    client.force_login(newcomer)
    response = client.post(reverse("companies:create"), {**VALID_COMPANY, field: value})
    assert response.status_code == 200
    form = response.context["form"]
    assert error_field in form.errors
    assert f'id="id_{error_field}_error"' in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not Company.objects.exists()
    assert not CompanyMember.objects.exists()


@pytest.mark.parametrize(("field", "value", "error_field"), BAD_COMPANY_INPUT[:8])
def test_edit_company_bad_input_saves_nothing(
    client, owner_a, company_a, field, value, error_field
):
    client.force_login(owner_a)
    response = client.post(
        reverse("companies:edit", args=[company_a.pk]),
        {**VALID_COMPANY, field: value, **formset_data()},
    )
    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    company_a.refresh_from_db()
    assert company_a.name == "Alpha Antriebstechnik GmbH"
    assert company_a.city == "Hannover"


def test_edit_bad_associated_enterprise_saves_nothing(client, owner_a, company_a):
    client.force_login(owner_a)
    data = {
        **VALID_COMPANY,
        "name": "Neuer Name",
        **formset_data(
            rows=[
                {
                    "name": "<script>x</script>",
                    "relation": "partner",
                    "share_percent": "140",
                    "headcount": "-3",
                }
            ]
        ),
    }
    response = client.post(reverse("companies:edit", args=[company_a.pk]), data)
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert {"name", "share_percent", "headcount"} <= set(errors)
    company_a.refresh_from_db()
    assert company_a.name == "Alpha Antriebstechnik GmbH"
    assert not AssociatedEnterprise.objects.exists()


# --- coordinators: list, consultations, dashboard ---------------------------------------------


def test_list_filters_sorts_and_shows_columns(coordinator_client, company_a, company_b):
    NetworkMembershipFactory(company=company_a)
    NetworkMembershipFactory(company=company_a)
    page = coordinator_client.get(reverse("companies:list")).content.decode()
    assert company_a.name in page and company_b.name in page
    filtered = coordinator_client.get(reverse("companies:list"), {"q": "burgdorf"})
    assert company_b.name in filtered.content.decode()
    assert company_a.name not in filtered.content.decode()
    rows = list(filtered.context["companies"])
    assert rows == [company_b]
    ordered = coordinator_client.get(reverse("companies:list"), {"ordering": "-name"})
    assert list(ordered.context["companies"]) == [company_b, company_a]
    counts = {c.pk: c.network_count for c in ordered.context["companies"]}
    assert counts == {company_a.pk: 2, company_b.pk: 0}


def test_list_htmx_renders_only_results(coordinator_client, company_a):
    response = coordinator_client.get(
        reverse("companies:list"), {"q": "alpha"}, headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert 'id="company-results"' in content
    assert "<h1>" not in content
    assert company_a.name in content
    assert "HX-Request" in response["Vary"]
    restore = coordinator_client.get(
        reverse("companies:list"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<h1>" in restore.content.decode()


def test_list_paginates_by_50(coordinator_client):
    CompanyFactory.create_batch(51)
    first = coordinator_client.get(reverse("companies:list"))
    assert len(first.context["companies"]) == 50
    second = coordinator_client.get(reverse("companies:list"), {"page": 2})
    assert len(second.context["companies"]) == 1


def test_log_consultation(coordinator_client, coordinator, company_a):
    url = reverse("companies:consultation_create", args=[company_a.pk])
    response = coordinator_client.post(
        url,
        {
            "date": "2026-03-02",
            "channel": "video",
            "subjects": ["funding", "training_needs"],
            "minutes": "Bedarf an Robotik-Schulungen.",
            "follow_up_on": "2026-03-20",
        },
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.coordinator == coordinator
    assert consultation.subjects == ["funding", "training_needs"]
    page = coordinator_client.get(company_a.get_absolute_url()).content.decode()
    assert "Bedarf an Robotik-Schulungen." in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": ""}, "date"),
        ({"date": "31.02.2026"}, "date"),
        ({"channel": ""}, "channel"),
        ({"channel": "pigeon"}, "channel"),
        ({"subjects": []}, "subjects"),
        ({"subjects": ["astrology"]}, "subjects"),
        ({"minutes": "<script>alert(1)</script>"}, "minutes"),
        ({"minutes": "x" * 20001}, "minutes"),
        ({"follow_up_on": "2026-03-01"}, "follow_up_on"),
    ],
)
def test_log_consultation_bad_input(coordinator_client, company_a, changes, field):
    data = {
        "date": "2026-03-02",
        "channel": "phone",
        "subjects": ["funding"],
        "minutes": "",
        "follow_up_on": "",
        **changes,
    }
    response = coordinator_client.post(
        reverse("companies:consultation_create", args=[company_a.pk]), data
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Consultation.objects.exists()


def test_dashboard_overdue_first_and_mark_done(coordinator_client, company_a, company_b):
    today = timezone.localdate()
    later = ConsultationFactory(company=company_a, follow_up_on=today + timedelta(days=5))
    overdue = ConsultationFactory(company=company_b, follow_up_on=today - timedelta(days=3))
    ConsultationFactory(company=company_a, follow_up_on=today, follow_up_done=True)
    ConsultationFactory(company=company_a, follow_up_on=None)
    response = coordinator_client.get(reverse("companies:dashboard"))
    assert list(response.context["follow_ups"]) == [overdue, later]
    assert "overdue" in response.content.decode()

    assert (
        coordinator_client.get(reverse("companies:follow_up_done", args=[overdue.pk])).status_code
        == 405
    )
    response = coordinator_client.post(reverse("companies:follow_up_done", args=[overdue.pk]))
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.follow_up_done
    assert list(coordinator_client.get(reverse("companies:dashboard")).context["follow_ups"]) == [
        later
    ]


# --- query counts ------------------------------------------------------------------------------


def _populate_companies(count):
    topic = TopicFactory()
    for company in CompanyFactory.create_batch(count):
        company.training_needs.add(topic)
        NetworkMembershipFactory(company=company)


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_list_query_count_does_not_grow(coordinator_client, django_assert_num_queries):
    _populate_companies(3)
    few, response = _count_queries(coordinator_client, reverse("companies:list"))
    assert len(response.context["companies"]) == 3
    _populate_companies(27)
    with django_assert_num_queries(few):
        response = coordinator_client.get(reverse("companies:list"))
    assert len(response.context["companies"]) == 30


def test_dashboard_query_count_does_not_grow(
    coordinator_client, coordinator, django_assert_num_queries
):
    def add(count):
        for company in CompanyFactory.create_batch(count):
            ConsultationFactory(
                company=company, coordinator=coordinator, follow_up_on=date(2026, 1, 1)
            )

    add(3)
    few, response = _count_queries(coordinator_client, reverse("companies:dashboard"))
    assert len(response.context["follow_ups"]) == 3
    add(27)
    with django_assert_num_queries(few):
        response = coordinator_client.get(reverse("companies:dashboard"))
    assert len(response.context["follow_ups"]) == 30


def test_detail_and_members_query_count_does_not_grow(
    client, owner_a, company_a, django_assert_num_queries
):
    def add(count):
        for _ in range(count):
            CompanyMemberFactory(company=company_a, role="member")
            NetworkMembershipFactory(company=company_a)
            ConsultationFactory(company=company_a)

    client.force_login(owner_a)
    add(3)
    detail_few, _ = _count_queries(client, company_a.get_absolute_url())
    members_url = reverse("companies:members", args=[company_a.pk])
    members_few, _ = _count_queries(client, members_url)
    add(27)
    with django_assert_num_queries(detail_few):
        client.get(company_a.get_absolute_url())
    with django_assert_num_queries(members_few):
        client.get(members_url)
