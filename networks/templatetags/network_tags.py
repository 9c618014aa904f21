from django import template

from networks.selectors import active_network_teasers

register = template.Library()


@register.inclusion_tag("networks/_network_teaser.html")
def active_networks(limit: int = 3) -> dict:
    """Active networks for the start page, as links (one query)."""
    return {"networks": active_network_teasers(int(limit))}
