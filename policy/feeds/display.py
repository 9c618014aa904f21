"""Partner events on the public start page and below the workshop list (regiolab/panels.py),
marked as partner events and linking to the partner."""

from regiolab import panels

from . import selectors

START_PAGE_LIMIT = 3
WORKSHOP_LIST_LIMIT = 10


def start_page(*, now) -> dict | None:
    events = selectors.cached_upcoming_partner_events(now=now, limit=START_PAGE_LIMIT)
    return {"events": events, "heading_id": "home-partner-events"} if events else None


def workshop_list(*, now) -> dict | None:
    events = selectors.cached_upcoming_partner_events(now=now, limit=WORKSHOP_LIST_LIMIT)
    return {"events": events, "heading_id": "partner-events"} if events else None


def register() -> None:
    panels.register(
        panels.Panel(
            key="partner_events",
            slot="start_page",
            order=50,
            template="policy/feeds/_partner_events_card.html",
            context=start_page,
        )
    )
    panels.register(
        panels.Panel(
            key="partner_events",
            slot="workshop_list",
            order=50,
            template="policy/feeds/_partner_events_section.html",
            context=workshop_list,
        )
    )
