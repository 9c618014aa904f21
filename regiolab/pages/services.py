"""Information pages (Impressum, privacy notice, accessibility statement): reading and saving
their sections, rendering their plain text, and the accessibility feedback mechanism."""

import re

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

from regiolab.mail import queue_email
from regiolab.permissions import COORDINATORS_GROUP

from .models import AccessibilityFeedback, SitePage, SitePageSection

# --- reading -------------------------------------------------------------------------------------


def site_page(key: str) -> SitePage:
    """The page with its sections in one prefetch; an unsaved, empty page if none exists yet
    (a database created without the data migration's rows still shows the page)."""
    page = SitePage.objects.filter(key=key).prefetch_related("sections").first()
    if page is None:
        page = SitePage(key=key, updated_at=None)
    return page


def sections_of(page: SitePage) -> list[SitePageSection]:
    return list(page.sections.all()) if page.pk else []


# --- rendering -----------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*[-*•]\s+")


def _inline(text: str) -> str:
    # urlize escapes everything that is not a link it builds itself.
    return urlize(text.strip(), nofollow=True, autoescape=True)


def render_plain_text(text: str) -> SafeString:
    """Plain text → HTML: blank lines separate paragraphs, lines starting with "- " (or "* ",
    "• ") become a bullet list, single line breaks stay, web and e-mail addresses become links.
    Nothing of the text itself is ever taken as markup."""
    html = []
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines, items = [], []
        for line in block.split("\n"):
            if _BULLET.match(line):
                if lines:
                    html.append("<p>" + "<br>".join(lines) + "</p>")
                    lines = []
                items.append(_inline(_BULLET.sub("", line)))
            elif line.strip():
                if items:
                    html.append(_list(items))
                    items = []
                lines.append(_inline(line))
        if lines:
            html.append("<p>" + "<br>".join(lines) + "</p>")
        if items:
            html.append(_list(items))
    # Every piece went through urlize(autoescape=True) above.
    return mark_safe("\n".join(html))  # noqa: S308  # nosec B308, B703 — escaped by urlize above


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


# --- editing -------------------------------------------------------------------------------------

LAST_POSITION = 10**6  # where a section without a position goes


def section_order(position: int | None, pk: int | None) -> tuple:
    """Sort key of a section: by position; a new section after an existing one with the same
    position; without a position, last."""
    return (LAST_POSITION if position is None else position, pk is None, pk or 0)


@transaction.atomic
def save_site_page(
    *,
    page: SitePage,
    sections: list[SitePageSection],
    deleted: list[SitePageSection],
    updated_by,
) -> SitePage:
    """Save a page's changed and new sections, delete the removed ones, renumber the rest in the
    order given by their positions, and stamp the page with the date and editor."""
    if page.pk is None:
        page, _ = SitePage.objects.get_or_create(key=page.key)
    page = SitePage.objects.select_for_update().get(pk=page.pk)
    page.sections.filter(pk__in=[s.pk for s in deleted if s.pk]).delete()
    deleted_pks = {s.pk for s in deleted}
    changed = {s.pk: s for s in sections if s.pk}
    kept = [changed.get(s.pk, s) for s in page.sections.all() if s.pk not in deleted_pks]
    new = [s for s in sections if not s.pk]
    ordered = sorted([*kept, *new], key=lambda s: section_order(s.position, s.pk))
    for number, section in enumerate(ordered, start=1):
        section.page = page
        section.position = number
        section.full_clean()
        section.save()
    page.updated_at = timezone.now()
    page.updated_by = updated_by
    page.save(update_fields=["updated_at", "updated_by"])
    return page


# --- accessibility feedback ----------------------------------------------------------------------

FEEDBACK_LIMIT = 5  # messages per address and hour; a person with a real problem needs one
FEEDBACK_WINDOW = 3600


def feedback_allowed(client_ip: str) -> bool:
    """Count one message from this address; False once it sent FEEDBACK_LIMIT within the hour."""
    key = f"a11y-feedback:{client_ip}"
    cache.add(key, 0, FEEDBACK_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, FEEDBACK_WINDOW)
        count = 1
    return count <= FEEDBACK_LIMIT


def coordinator_addresses() -> list[str]:
    return list(
        get_user_model()
        .objects.filter(groups__name=COORDINATORS_GROUP, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


@transaction.atomic
def submit_accessibility_feedback(
    *, name: str, email: str, page_url: str, message: str, language: str
) -> AccessibilityFeedback:
    """Store the message and e-mail it to every coordinator; the sender, if they gave an
    address, gets a confirmation. The confirmation does not repeat the message, so the form
    cannot be used to send arbitrary text to someone else's address."""
    feedback = AccessibilityFeedback(
        name=name, email=email, page_url=page_url, message=message, language=language
    )
    feedback.full_clean()
    feedback.save()
    for address in coordinator_addresses():
        queue_email(to=address, template="accessibility_feedback", context={"feedback": feedback})
    if feedback.email:
        queue_email(
            to=feedback.email,
            template="accessibility_feedback_received",
            context={"feedback": feedback},
            language=language or None,
        )
    return feedback
