"""From the e-mail to the answer: the link in a panel invitation opens the answer page (S2),
answering stops the reminders, and the link is closed after the close date."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from regiolab.mail.models import OutboundEmail
from surveys.distribution import importing, services
from surveys.services import submit_response

from .support_s3 import delivered, make_survey, text_of

pytestmark = pytest.mark.django_db

CSV = b"email;name;organisation;region\nanna@netz.example;Anna;Netz A;Hannover\n"


def test_link_answer_then_no_reminder(client, django_capture_on_commit_callbacks):
    survey = make_survey(purpose="panel", closes_at=timezone.now() + timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_panel(survey=survey, data=CSV)
    [message] = delivered()
    link = re.search(r"http://\S+/s/(\S+)/", text_of(message))
    page = client.get(f"/s/{link.group(1)}/")
    assert page.status_code == 200
    assert 'name="satisfaction"' in page.content.decode()

    submit_response(survey=survey, answers={"satisfaction": 4}, token=link.group(1))
    invitation = survey.invitations.get()
    assert invitation.answered_at is not None
    assert services.send_reminders(now=timezone.now() + timedelta(days=8)) == 0
    assert OutboundEmail.objects.count() == 1


def test_after_the_close_date_the_link_is_closed(client, django_capture_on_commit_callbacks):
    survey = make_survey(purpose="panel", closes_at=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_panel(survey=survey, data=CSV)
    token = survey.invitations.get().token
    services.close_due_surveys(now=timezone.now() + timedelta(days=2))
    page = client.get(f"/s/{token}/")
    assert 'name="satisfaction"' not in page.content.decode()
