"""The review of a call's proposals: reviewers limited to the call, assignments with conflict
of interest checks, scores per criterion, the ranking per challenge, shortlist and decisions."""


def register() -> None:
    """Called from ChallengesConfig.ready(): permissions and the audit log's models."""
    from . import audit, rules  # noqa: F401 — rules registers the permissions on import

    audit.register()
