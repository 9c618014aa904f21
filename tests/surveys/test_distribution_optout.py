"""The one-click opt-out of survey e-mails: a link in every survey e-mail, a POST confirmation
page, and nothing more to that address afterwards."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from regiolab.mail.models import OutboundEmail
from surveys.distribution import services
from surveys.models import SurveyInvitation, SurveyOptOut

from .support_s3 import delivered, html_of, make_survey, text_of

pytestmark = pytest.mark.django_db


def _invite(survey, email):
    invitation = SurveyInvitation.objects.create(survey=survey, email=email)
    services.send_pending_invitations()
    return invitation


def test_link_in_the_email_opts_out_with_one_post(english):
    survey = make_survey(purpose="panel")
    _invite(survey, "anna@netz.example")
    [message] = delivered()
    link = re.search(r"http://\S+/surveys/optout/\S+/", text_of(message)).group(0)
    assert link in html_of(message)
    path = "/" + link.split("/", 3)[3]
    client = Client(enforce_csrf_checks=True)  # a mail program's one-click POST has no token

    page = client.get(path)
    assert page.status_code == 200
    assert "anna@netz.example" in page.content.decode()
    assert not SurveyOptOut.objects.exists()  # a GET (a mail scanner) changes nothing

    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert SurveyOptOut.objects.filter(email="anna@netz.example").exists()
    client.post(path)
    assert SurveyOptOut.objects.count() == 1


@pytest.mark.parametrize("reminder", [False, True])
def test_the_mail_programs_unsubscribe_button_opts_out_without_login(reminder):
    survey = make_survey(purpose="panel")
    _invite(survey, "carla@netz.example")
    if reminder:
        services.send_reminders(now=timezone.now() + timedelta(days=8))
    message = delivered()[-1]
    link = re.search(r"http://\S+/surveys/optout/\S+/", text_of(message)).group(0)
    assert message["List-Unsubscribe"].strip() == f"<{link}>"  # long: folded onto a new line
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    path = "/" + link.split("/", 3)[3]
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert SurveyOptOut.objects.filter(email="carla@netz.example").exists()


def test_opted_out_address_gets_no_more_survey_emails():
    survey = make_survey(purpose="panel")
    _invite(survey, "anna@netz.example")
    services.opt_out(email="Anna@Netz.example")
    # No reminder, and no invitation to another survey.
    assert services.send_reminders(now=timezone.now() + timedelta(days=8)) == 0
    other = make_survey(purpose="panel", title="Zweite Welle")
    SurveyInvitation.objects.create(survey=other, email="anna@netz.example")
    assert services.send_pending_invitations() == 0
    assert OutboundEmail.objects.count() == 1


def test_portal_wide_unsubscribe_counts_too():
    from regiolab.mail import opt_out as unsubscribe

    survey = make_survey(purpose="panel")
    unsubscribe(email="bob@netz.example")
    SurveyInvitation.objects.create(survey=survey, email="bob@netz.example")
    assert services.send_pending_invitations() == 0


@pytest.mark.parametrize("token", ["not-a-token", "eyJhIjoxfQ:1abc:forged"])
def test_forged_link_changes_nothing(client, token):
    response = client.post(f"/surveys/optout/{token}/")
    assert response.status_code == 404
    assert not SurveyOptOut.objects.exists()
