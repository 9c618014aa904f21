"""Celery discovers tasks here; each concern keeps its tasks in its own module."""

from .homework.tasks import *  # noqa: F403
from .results.tasks import *  # noqa: F403
