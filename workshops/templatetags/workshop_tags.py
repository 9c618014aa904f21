from django import template

from workshops.selectors import upcoming_teasers

register = template.Library()


@register.inclusion_tag("workshops/_workshop_teaser.html")
def upcoming_workshops(limit: int = 3) -> dict:
    """The next published workshops for the start page (one query)."""
    return {"workshops": upcoming_teasers(int(limit))}


@register.filter
def cancel_undoable(registration) -> bool:
    """A coordinator's cancellation still within its few minutes of undo (no query)."""
    from workshops.registration.services import undo_possible

    return undo_possible(registration)
