"""Celery discovers tasks here; each concern keeps its tasks in its own module."""

from .feeds.tasks import *  # noqa: F403
from .newsletter.tasks import *  # noqa: F403
from .plans.tasks import *  # noqa: F403
