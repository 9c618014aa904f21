from django import template

from workshops.selectors import upcoming_teasers

register = template.Library()


@register.inclusion_tag("workshops/_workshop_teaser.html")
def upcoming_workshops(limit: int = 3) -> dict:
    """The next published workshops for the start page (one query)."""
    return {"workshops": upcoming_teasers(int(limit))}
