"""The registry of home sections: what each role sees on its home at ``/``.

A section is a selector and a partial template. The selector takes the signed-in user and the
request's moment and returns the partial's context, with a fixed number of queries whatever
the number of rows (each list is cut to ``limit`` rows, with the total counted in the same
query or one more), so the home's query count does not grow with the data. It returns ``None``
when the section does not apply to this user (e.g. registrations for a person without a
company's rights); an applicable section with nothing to do shows its empty state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from regiolab.permissions import is_coordinator, is_funder

COORDINATOR = "coordinator"
FUNDER = "funder"
MEMBER = "member"  # a signed-in person who is neither: a company representative (or to become one)
ROLES = (COORDINATOR, FUNDER, MEMBER)


@dataclass(frozen=True)
class HomeSection:
    key: str
    roles: frozenset[str]
    order: int  # smaller first
    template: str
    context: Callable[..., dict | None]  # (user=, now=) -> the template's context, or None


SECTIONS: dict[str, HomeSection] = {}


def register(section: HomeSection) -> None:
    unknown = set(section.roles) - set(ROLES)
    if unknown:
        raise ValueError(f"Unknown home roles: {sorted(unknown)}")
    SECTIONS[section.key] = section


def role_of(user) -> str | None:
    """The home a signed-in user gets (None: anonymous, the public start page)."""
    if not user.is_authenticated:
        return None
    if is_coordinator(user):
        return COORDINATOR
    if is_funder(user):
        return FUNDER
    return MEMBER


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict


def sections_for(user, *, now: datetime) -> list[RenderedSection]:
    """The user's role's sections in order, each with its context (those that apply)."""
    role = role_of(user)
    rendered = []
    for section in sorted(SECTIONS.values(), key=lambda s: (s.order, s.key)):
        if role not in section.roles:
            continue
        context = section.context(user=user, now=now)
        if context is not None:
            rendered.append(RenderedSection(section.key, section.template, context))
    return rendered
