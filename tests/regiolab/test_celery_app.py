"""The Celery app: JSON only, late acks, time limits, and every beat entry names a real task."""

from django.conf import settings

from regiolab.celery import app


def test_app_is_configured_for_reliable_json_tasks():
    app.loader.import_default_modules()
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_every_periodic_task_is_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "regiolab.tasks.deliver_pending_emails",
        "workshops.send_pending_invitations",
        "workshops.send_due_reminders",
        "workshops.mark_finished_workshops",
        "funding.build_queued_reports",
        "funding.anonymise_expired_personal_data",
    }
    missing = scheduled - set(app.tasks)
    assert missing == set()
