"""Celery discovers tasks here; each concern keeps its tasks in its own module."""

from .distribution.tasks import *  # noqa: F403
