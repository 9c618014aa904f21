"""Imported once from ``ChallengesConfig.ready()``: registers the pitch day's permissions
(``rules``) and what the audit log records of it (``audit``)."""

from . import audit, rules  # noqa: F401 — importing rules registers the permissions

audit.register()
