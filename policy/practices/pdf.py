"""A practice on one A4 page (WeasyPrint, tagged PDF/A like the portal's other documents).

The long texts are shortened so the page holds them; the full text is on the practice's page,
whose address the sheet names."""

from django.conf import settings
from django.utils.translation import gettext, override

from regiolab.pdf import render_pdf

from . import selectors

# Characters per text that still fit one page with the headings, figures and transfers.
LIMITS = {"summary": 400, "description": 1000, "resources": 250, "evidence": 350}
MAX_FIGURES = 5
MAX_TRANSFERS = 3


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + " …"


def practice_pdf(practice, *, url: str, language: str | None = None) -> bytes:
    """``practice`` as selectors.practice_for loads it; ``url`` its page's full address."""
    language = language or settings.LANGUAGE_CODE
    with override(language):
        selectors.localise(practice)
        texts = {
            field: _short(getattr(practice, f"shown_{field}"), limit)
            for field, limit in LIMITS.items()
        }
        title = gettext("Good practice: %(title)s") % {"title": practice.shown_title}
        figures = selectors.figure_rows(list(practice.figures.all())[:MAX_FIGURES])
    return render_pdf(
        "pdf/practice.html",
        {
            "practice": practice,
            "texts": texts,
            "figures": figures,
            "transfers": list(practice.transfers.all())[:MAX_TRANSFERS],
            "topics": list(practice.topics.all()),
            "url": url,
        },
        language=language,
        title=title,
    )
