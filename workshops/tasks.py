"""Celery discovers tasks here; each area keeps its tasks in its own module."""

from .invitations.tasks import *  # noqa: F403
from .lifecycle.tasks import *  # noqa: F403
