"""A panel member answers a survey by the e-mailed link; a company answers its training-needs
round in its space (both on PostgreSQL and on make run's SQLite)."""

import pytest

from surveys.models import Response, SurveyInvitation
from tests.factories import CompanyMemberFactory
from tests.journeys.support import current_url, html, submit
from tests.surveys.support_s2 import invite, make_survey

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]


def test_a_panel_member_answers_by_the_link_once(client):
    survey = make_survey()
    invitation = invite(survey, language="en", region="Hannover")
    page = client.get(f"/s/{invitation.token}/")
    assert "Network survey" in html(page)
    # First without the required scale: the page says what is missing and keeps the rest.
    page = submit(client, page, {"role": "anchor", "anchor_note": "We host."}, field="role")
    assert "Please answer this question." in html(page)
    assert Response.objects.count() == 0
    page = submit(
        client,
        page,
        {"role": "anchor", "anchor_note": "We host.", "satisfaction": "5", "topics": ["ki"]},
        field="role",
    )
    assert current_url(page).startswith(f"/s/{invitation.token}/thanks/")
    assert "Thank you for your answers" in html(page)
    response = Response.objects.get()
    assert (response.region, response.invitation_id, response.respondent_id) == (
        "Hannover",
        None,
        None,
    )
    assert SurveyInvitation.objects.get().answered_at is not None
    assert client.get(f"/s/{invitation.token}/").status_code == 410


def test_a_company_answers_its_training_needs_round_and_changes_it(client):
    survey = make_survey(purpose="training_needs")
    member = CompanyMemberFactory(company__name="Gamma GmbH", company__municipality="Garbsen")
    client.force_login(member.user)
    page = client.get(f"/surveys/{survey.pk}/answer/")
    page = submit(client, page, {"role": "member", "satisfaction": "3"}, field="role")
    assert "Ihre Antworten wurden gespeichert." in html(page)
    page = submit(client, page, {"role": "member", "satisfaction": "1"}, field="role")
    response = Response.objects.get()
    assert (response.company_id, response.municipality) == (member.company_id, "Garbsen")
    assert response.answers.get(question__code="satisfaction").number == 1
