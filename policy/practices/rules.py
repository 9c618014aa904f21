"""Who may do what with good practices: coordinators record, edit and archive them and record
transfers; a second coordinator (never the author) validates a draft; everybody reads the
validated ones."""

import rules

from policy.models import GoodPractice
from regiolab.permissions import is_coordinator


@rules.predicate
def is_public(user, practice) -> bool:
    return practice is not None and practice.status == GoodPractice.Status.VALIDATED


@rules.predicate
def is_draft(user, practice) -> bool:
    return practice is not None and practice.status == GoodPractice.Status.DRAFT


@rules.predicate
def is_author(user, practice) -> bool:
    return (
        practice is not None and practice.author_id is not None and (practice.author_id == user.pk)
    )


rules.add_perm("policy.manage_practices", is_coordinator)
rules.add_perm("policy.view_practice", is_public | is_coordinator)
rules.add_perm("policy.validate_practice", is_coordinator & is_draft & ~is_author)
