"""Page panels: what other apps add to a core or workshop page without being imported by it.

A page names a slot (``{% load panels %}{% panels "start_page" %}``); an app registers, from its
AppConfig.ready(), a panel for that slot: a partial template and a context function
``(now=) -> dict | None`` that runs a fixed number of queries (None: nothing to show). The
slots today: ``start_page`` (the public start page) and ``workshop_list`` (below the cached
results of the public workshop list; a panel caches its own part with its own declaration).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SLOTS = ("start_page", "workshop_list")


@dataclass(frozen=True)
class Panel:
    key: str
    slot: str
    order: int
    template: str
    context: Callable[..., dict | None]


PANELS: dict[tuple[str, str], Panel] = {}


def register(panel: Panel) -> None:
    if panel.slot not in SLOTS:
        raise ValueError(f"Unknown panel slot: {panel.slot!r}")
    PANELS[(panel.slot, panel.key)] = panel


def panels_for(slot: str, *, now) -> list[tuple[Panel, dict]]:
    rendered = []
    for panel in sorted(
        (p for p in PANELS.values() if p.slot == slot), key=lambda p: (p.order, p.key)
    ):
        context = panel.context(now=now)
        if context is not None:
            rendered.append((panel, context))
    return rendered
