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
        "learning.build_queued_final_reports",
        "learning.send_task_reminders",
        "policy.import_partner_feeds",
        "surveys.send_feedback_invitations",
        "surveys.send_reminders",
        "surveys.send_pending_invitations",
        "challenges.publish_due_challenges",
        "policy.build_queued_monitoring_reports",
    }
    missing = scheduled - set(app.tasks)
    assert missing == set()


def _queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_email_and_report_tasks_have_their_own_queues():
    app.loader.import_default_modules()
    assert set(settings.CELERY_TASK_QUEUES) == {"celery", "mail", "reports"}
    for name in (
        "regiolab.tasks.deliver_new_emails",
        "regiolab.tasks.deliver_pending_emails",
        "workshops.send_invitations",
        "workshops.send_pending_invitations",
        "workshops.send_due_reminders",
    ):
        assert _queue_of(name) == "mail", name
    for name in (
        "funding.build_progress_report",
        "funding.build_queued_reports",
        "workshops.send_certificates",
        "policy.build_monitoring_report",
        "policy.build_queued_monitoring_reports",
    ):
        assert _queue_of(name) == "reports", name
    for name in ("workshops.mark_finished_workshops", "funding.anonymise_expired_personal_data"):
        assert _queue_of(name) == "celery", name
    # Every route names a registered task and a declared queue (a typo would go unnoticed).
    for name, route in settings.CELERY_TASK_ROUTES.items():
        assert name in app.tasks, name
        assert route["queue"] in settings.CELERY_TASK_QUEUES, name
    # A worker started without -Q (and the test suite's worker) consumes every queue.
    assert set(app.amqp.queues.consume_from) == set(settings.CELERY_TASK_QUEUES)
