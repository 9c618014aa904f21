"""Helpers for the surveys' distribution tests: a ready-made feedback questionnaire (until S1's
data migration ships one), surveys, and the outbox parsed as MIME."""

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from django.core import mail
from django.utils import timezone

from regiolab.mail import deliver_new
from surveys.models import Question, Section, Survey, SurveyVersion
from tests.factories import RegistrationFactory, WorkshopFactory


def make_survey(*, purpose="panel", status="open", is_template=False, **fields) -> Survey:
    survey = Survey.objects.create(
        title=fields.pop("title", f"Umfrage {purpose}"),
        purpose=purpose,
        status=status,
        is_template=is_template,
        **fields,
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    section = Section.objects.create(version=version, position=1, title="Allgemein")
    first = Question.objects.create(
        version=version,
        section=section,
        code="satisfaction",
        position=1,
        type="scale",
        text="Wie zufrieden waren Sie?",
        scale_max=5,
        required=True,
    )
    Question.objects.create(
        version=version,
        section=section,
        code="why",
        position=2,
        type="long_text",
        text="Warum nicht?",
        show_if_question=first,
        show_if_value="1",
    )
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return survey


def feedback_template() -> Survey:
    """The ready-made feedback questionnaire (S1's data migration), or one made here."""
    from surveys.distribution.services import feedback_template as shipped

    return shipped() or make_survey(
        purpose="feedback", status="draft", is_template=True, title="Feedback"
    )


def done_workshop(*, attendees=2, ended_ago=timedelta(hours=2), **fields):
    end = timezone.now() - ended_ago
    workshop = WorkshopFactory(
        status="done", starts_at=end - timedelta(hours=4), ends_at=end, **fields
    )
    people = [RegistrationFactory(workshop=workshop, status="attended") for _ in range(attendees)]
    return workshop, people


def delivered() -> list[EmailMessage]:
    """Send what the outbox holds (locmem backend) and parse each message as a mail program
    would."""
    deliver_new()
    return [
        message_from_bytes(m.message().as_bytes(linesep="\r\n"), policy=policy.default)
        for m in mail.outbox
    ]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
