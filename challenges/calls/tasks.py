"""Publishing approved challenges when their call's "published" phase begins (beat)."""

from celery import shared_task

from . import services


@shared_task(name="challenges.publish_due_challenges", ignore_result=True)
def publish_due_challenges() -> int:
    return services.publish_due_challenges()
