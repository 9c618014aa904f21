"""Workshop feedback: each attendee invited once, one reminder after 5 days, the switch."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from regiolab.mail.models import OutboundEmail
from surveys.distribution import services
from surveys.models import Survey, SurveyInvitation, WorkshopFeedback

from .support_s3 import (
    delivered,
    done_workshop,
    feedback_template,
    html_of,
    make_survey,
    text_of,
)

pytestmark = pytest.mark.django_db


def _start(django_capture_on_commit_callbacks, **kwargs) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return services.start_due_feedback(**kwargs)


def test_each_attendee_gets_the_feedback_link_once(django_capture_on_commit_callbacks):
    feedback_template()
    workshop, attendees = done_workshop(attendees=2)
    from tests.factories import RegistrationFactory

    RegistrationFactory(workshop=workshop, status="no_show")
    RegistrationFactory(workshop=workshop, status="cancelled")

    assert _start(django_capture_on_commit_callbacks) == 2
    # Beat runs again, and the catch-up too: nothing more.
    assert _start(django_capture_on_commit_callbacks) == 0
    assert services.send_pending_invitations() == 0

    messages = delivered()
    assert sorted(m["To"] for m in messages) == sorted(a.email for a in attendees)
    assert OutboundEmail.objects.count() == 2
    feedback = WorkshopFeedback.objects.get(workshop=workshop)
    assert feedback.invited_at is not None
    for message in messages:
        invitation = SurveyInvitation.objects.get(email=message["To"])
        assert invitation.registration.workshop == workshop
        assert invitation.sent_at is not None
        assert workshop.title in message["Subject"]
        text, html = text_of(message), html_of(message)
        assert f"/s/{invitation.token}/" in text
        assert f'href="http://portal.regiolab.example/s/{invitation.token}/"' in html or (
            f"/s/{invitation.token}/" in html
        )
        # The opt-out link works for this address.
        link = re.search(r"(/surveys/optout/[^/\s]+/)", text).group(1)
        token = link.split("/")[-2]
        assert services.address_of_optout_token(token) == invitation.email


def test_one_survey_per_workshop_copied_from_the_ready_made_questionnaire(
    django_capture_on_commit_callbacks,
):
    template = feedback_template()
    expected = list(
        template.current_version.questions.order_by("position", "pk").values_list("code", "type")
    )
    first, _people = done_workshop(attendees=1)
    second, _people = done_workshop(attendees=1)
    _start(django_capture_on_commit_callbacks)

    surveys = {f.workshop_id: f.survey for f in WorkshopFeedback.objects.all()}
    assert set(surveys) == {first.pk, second.pk}
    assert surveys[first.pk] != surveys[second.pk]
    for survey in surveys.values():
        assert survey.purpose == Survey.Purpose.FEEDBACK
        assert survey.anonymity == Survey.Anonymity.ANONYMOUS
        assert survey.status == Survey.Status.OPEN
        assert not survey.is_template
        assert survey.current_version.survey == survey
        questions = survey.current_version.questions.order_by("position", "pk")
        assert list(questions.values_list("code", "type")) == expected
    # The template is untouched.
    assert template.versions.count() == 1
    assert template.current_version.questions.count() == len(expected)


def test_the_copy_keeps_sections_and_display_conditions():
    source = make_survey(purpose="feedback", status="draft", is_template=True)
    into = Survey.objects.create(title="Kopie", purpose="feedback", status="open")
    version = services.copy_questionnaire(source=source, into=into)
    assert into.current_version == version
    why = version.questions.get(code="why")
    assert why.show_if_question == version.questions.get(code="satisfaction")
    assert why.show_if_value == "1"
    assert why.section.version == version
    assert source.current_version.questions.get(code="why").show_if_question.version_id == (
        source.current_version_id
    )


def test_switched_off_workshop_sends_nothing(client, django_capture_on_commit_callbacks):
    feedback_template()
    workshop, _people = done_workshop(attendees=3)
    services.set_feedback_enabled(workshop=workshop, enabled=False)

    assert _start(django_capture_on_commit_callbacks) == 0
    assert SurveyInvitation.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


def test_no_round_for_old_or_empty_or_unfinished_workshops(django_capture_on_commit_callbacks):
    feedback_template()
    done_workshop(attendees=2, ended_ago=timedelta(days=30))  # before the look-back
    done_workshop(attendees=0)
    running, _people = done_workshop(attendees=2)
    running.status = "published"
    running.save()
    assert _start(django_capture_on_commit_callbacks) == 0
    assert OutboundEmail.objects.count() == 0


def test_without_a_ready_made_questionnaire_nothing_is_sent(django_capture_on_commit_callbacks):
    Survey.objects.filter(is_template=True, purpose="feedback").delete()
    done_workshop(attendees=2)
    assert _start(django_capture_on_commit_callbacks) == 0
    assert not WorkshopFeedback.objects.exists()


def test_one_reminder_after_five_days_to_those_who_have_not_answered(
    django_capture_on_commit_callbacks,
):
    feedback_template()
    workshop, (answered, silent) = done_workshop(attendees=2)
    _start(django_capture_on_commit_callbacks)
    delivered()
    SurveyInvitation.objects.filter(email=answered.email).update(answered_at=timezone.now())
    now = timezone.now()

    assert services.send_reminders(now=now + timedelta(days=4, hours=23)) == 0
    assert services.send_reminders(now=now + timedelta(days=5, minutes=1)) == 1
    assert services.send_reminders(now=now + timedelta(days=5, minutes=2)) == 0
    assert services.send_reminders(now=now + timedelta(days=20)) == 0  # only one reminder

    reminders = OutboundEmail.objects.exclude(pk__in=[]).order_by("-pk")[:1]
    [reminder] = reminders
    assert reminder.to == silent.email
    invitation = SurveyInvitation.objects.get(email=silent.email)
    assert invitation.reminders_sent == 1
    assert f"/s/{invitation.token}/" in reminder.body_text
    assert OutboundEmail.objects.filter(to=answered.email).count() == 1


def test_no_reminder_when_switched_off_or_opted_out_after_the_invitation(
    django_capture_on_commit_callbacks,
):
    feedback_template()
    workshop, (first, second) = done_workshop(attendees=2)
    other, (third,) = done_workshop(attendees=1)
    _start(django_capture_on_commit_callbacks)
    services.set_feedback_enabled(workshop=workshop, enabled=False)
    services.opt_out(email=third.email.upper())
    assert services.send_reminders(now=timezone.now() + timedelta(days=6)) == 0


def test_opted_out_attendee_is_not_invited(django_capture_on_commit_callbacks):
    feedback_template()
    workshop, (keen, opted) = done_workshop(attendees=2)
    services.opt_out(email=opted.email)
    assert _start(django_capture_on_commit_callbacks) == 1
    assert [m["To"] for m in delivered()] == [keen.email]


def test_coordinator_switches_feedback_off_on_its_page(coordinator_client):
    workshop, _people = done_workshop(attendees=1)
    page = coordinator_client.get(f"/surveys/feedback/{workshop.slug}/")
    assert page.status_code == 200
    assert b'name="enabled"' in page.content
    response = coordinator_client.post(f"/surveys/feedback/{workshop.slug}/", {})
    assert response.status_code == 302
    assert WorkshopFeedback.objects.get(workshop=workshop).enabled is False
    listing = coordinator_client.get("/surveys/feedback/")
    assert workshop.title.encode() in listing.content
    coordinator_client.post(f"/surveys/feedback/{workshop.slug}/", {"enabled": "on"})
    assert WorkshopFeedback.objects.get(workshop=workshop).enabled is True


def test_the_tasks_run_the_services(django_capture_on_commit_callbacks):
    from surveys.distribution import tasks

    feedback_template()
    done_workshop(attendees=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_feedback_invitations_task.delay().get() == 2
    assert SurveyInvitation.objects.filter(sent_at__isnull=False).count() == 2
    assert tasks.send_reminders_task.delay().get() == 0


def test_attendance_recorded_after_the_round_is_invited_once(django_capture_on_commit_callbacks):
    from tests.factories import RegistrationFactory

    feedback_template()
    workshop, (first,) = done_workshop(attendees=1)
    late = RegistrationFactory(workshop=workshop, status="confirmed")
    assert _start(django_capture_on_commit_callbacks) == 1
    first_round = WorkshopFeedback.objects.get(workshop=workshop).invited_at

    late.status = "attended"
    late.save()
    assert _start(django_capture_on_commit_callbacks) == 1
    assert _start(django_capture_on_commit_callbacks) == 0
    assert sorted(m["To"] for m in delivered()) == sorted([first.email, late.email])
    feedback = WorkshopFeedback.objects.get(workshop=workshop)
    assert feedback.invited_at == first_round
    assert Survey.objects.filter(is_template=False).count() == 1  # the same survey


def test_feedback_list_counts_answers_only_from_five_invited(
    coordinator_client, django_capture_on_commit_callbacks
):
    feedback_template()
    small, _people = done_workshop(attendees=2, title="Kleiner Kreis")
    large, _people = done_workshop(attendees=6, title="Große Runde")
    _start(django_capture_on_commit_callbacks)
    SurveyInvitation.objects.update(answered_at=timezone.now())
    page = coordinator_client.get("/surveys/feedback/").content.decode()
    small_row = page.split("Kleiner Kreis")[1].split("</tr>")[0]
    large_row = page.split("Große Runde")[1].split("</tr>")[0]
    assert large_row.count(">6<") == 3  # attendees, invited, answered
    assert small_row.count(">2<") == 2  # attendees and invited, but not answered
    assert "–" in small_row


def test_an_unlisted_workshop_is_asked_only_when_switched_on(django_capture_on_commit_callbacks):
    """A learning cycle's workshop (unlisted) has its reports; no feedback round by default."""
    feedback_template()
    workshop, attendees = done_workshop(attendees=2)
    workshop.listed = False
    workshop.save(update_fields=["listed"])

    assert _start(django_capture_on_commit_callbacks) == 0
    assert delivered() == []

    WorkshopFeedback.objects.create(workshop=workshop, enabled=True)
    assert _start(django_capture_on_commit_callbacks) == 2
    assert sorted(m["To"] for m in delivered()) == sorted(a.email for a in attendees)
