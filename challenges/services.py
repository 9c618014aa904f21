"""The Open Innovation Challenge's writes, re-exported from the concerns' sub-packages so that
the contract's import paths (DESIGN.md, Contracts) stay valid."""

from .review.services import (  # noqa: F401 — re-exported
    add_reviewer,
    assign_balanced,
    assign_reviewer,
    decide,
    send_decisions,
    submit_review,
    unassign_reviewer,
)
