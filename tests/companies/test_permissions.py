"""Every company URL × role: anonymous → login, outsiders → 404 on company pages and 403 on
coordinator pages, funders see nothing of companies."""

import pytest
from django.urls import reverse

from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "rep_a", "rep_b", "coordinator", "funder"]

# url name, args ("A" = company A's pk, "C" = a consultation of A), method, statuses per role
TABLE = [
    ("list", [], "get", [302, 403, 403, 200, 403]),
    ("dashboard", [], "get", [302, 403, 403, 200, 403]),
    ("create", [], "get", [302, 403, 403, 200, 403]),
    ("mine", [], "get", [302, 302, 302, 302, 403]),
    ("join", [], "get", [302, 403, 403, 403, 403]),
    ("detail", ["A"], "get", [302, 200, 404, 200, 404]),
    ("edit", ["A"], "get", [302, 200, 404, 200, 404]),
    ("members", ["A"], "get", [302, 200, 404, 200, 404]),
    ("consultation_create", ["A"], "get", [302, 403, 403, 200, 403]),
    ("follow_up_done", ["C"], "post", [302, 403, 403, 302, 403]),
]


@pytest.fixture
def users(owner_a, owner_b, coordinator, funder_user):
    return {
        "anonymous": None,
        "rep_a": owner_a,
        "rep_b": owner_b,
        "coordinator": coordinator,
        "funder": funder_user,
    }


@pytest.mark.parametrize(("name", "args", "method", "statuses"), TABLE, ids=[r[0] for r in TABLE])
def test_company_url_permissions(client, users, company_a, name, args, method, statuses):
    consultation = ConsultationFactory(company=company_a, follow_up_on="2026-05-01")
    values = {"A": company_a.pk, "C": consultation.pk}
    url = reverse(f"companies:{name}", args=[values[a] for a in args])
    for role, expected in zip(ROLES, statuses, strict=True):
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        response = getattr(client, method)(url)
        assert response.status_code == expected, (role, url)
        if role == "anonymous":
            assert response.url.startswith(reverse("account_login")), url
        if expected == 200:
            assert "Beta Bäckerei" not in response.content.decode() or role == "coordinator"
    consultation.refresh_from_db()
    if name == "follow_up_done":
        assert consultation.follow_up_done  # only the coordinator's POST went through


def test_mine_redirects_each_rep_to_own_company(client, owner_a, owner_b, company_a, company_b):
    client.force_login(owner_a)
    assert client.get(reverse("companies:mine")).url == company_a.get_absolute_url()
    client.force_login(owner_b)
    assert client.get(reverse("companies:mine")).url == company_b.get_absolute_url()


def test_rep_cannot_write_to_other_company(client, owner_b, company_a):
    client.force_login(owner_b)
    response = client.post(reverse("companies:edit", args=[company_a.pk]), {"name": "Gekapert"})
    assert response.status_code == 404
    response = client.post(
        reverse("companies:members", args=[company_a.pk]),
        {"action": "invite", "invite-email": "x@example.org"},
    )
    assert response.status_code == 404
    company_a.refresh_from_db()
    assert company_a.name == "Alpha Antriebstechnik GmbH"
    assert not company_a.invitations.exists()


def test_funder_sees_no_company_in_navigation(client, funder_user, company_a):
    client.force_login(funder_user)
    page = client.get("/").content.decode()
    assert company_a.name not in page
    assert reverse("companies:mine") not in page  # no "My company" link that would answer 403
