"""Company pages: one <h1>, no inline CSS/JS, every form control labelled."""

import re

import pytest
from django.urls import reverse

from tests.factories import CompanyInvitationFactory, ConsultationFactory, NetworkMembershipFactory

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
CONTROL_ID = re.compile(
    r'<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"'
)


def assert_well_formed(html: str, url: str) -> None:
    assert html.count("<h1") == 1, url
    assert " style=" not in html, url
    assert not INLINE_SCRIPT.search(html), url
    assert not HANDLER.search(html), url
    for control_id in CONTROL_ID.findall(html):
        assert f'for="{control_id}"' in html, (url, control_id)


def test_coordinator_pages(coordinator_client, company_a, owner_a, member_a):
    ConsultationFactory(company=company_a, follow_up_on="2026-01-01")
    NetworkMembershipFactory(company=company_a)
    CompanyInvitationFactory(company=company_a)
    for url in [
        reverse("companies:list"),
        reverse("companies:list") + "?q=zzz",
        reverse("companies:dashboard"),
        reverse("companies:create"),
        company_a.get_absolute_url(),
        reverse("companies:edit", args=[company_a.pk]),
        reverse("companies:members", args=[company_a.pk]),
        reverse("companies:consultation_create", args=[company_a.pk]),
    ]:
        response = coordinator_client.get(url)
        assert response.status_code == 200, url
        assert_well_formed(response.content.decode(), url)
    form_page = coordinator_client.get(reverse("companies:create")).content.decode()
    assert len(CONTROL_ID.findall(form_page)) > 15  # the label check did look at the fields


def test_newcomer_pages(client, newcomer, company_a):
    client.force_login(newcomer)
    invitation = CompanyInvitationFactory(company=company_a, email=newcomer.email)
    for url in [
        reverse("companies:mine"),
        reverse("companies:join"),
        reverse("companies:join") + "?q=alpha",
        reverse("companies:create"),
        reverse("companies:accept_invitation", args=[invitation.token]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_well_formed(response.content.decode(), url)
