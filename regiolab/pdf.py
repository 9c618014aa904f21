"""PDF rendering with WeasyPrint from templates under templates/pdf/."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

# What a funder archives: PDF/A-2 level A, i.e. archival PDF/A that is also tagged (structure
# tree, /Lang, /MarkInfo, alternative texts). WeasyPrint 70 writes one variant identifier per
# file, so the XMP names PDF/A-2a (pdfaid) and not PDF/UA-1 (pdfuaid); the tagging PDF/UA asks
# for is the same as with "pdf/ua-1". Shared with the benchmark, which renders like this.
PDF_OPTIONS = {"pdf_variant": "pdf/a-2a", "pdf_tags": True}
PRODUCER_NAME = "regioLab"


def footer_text(value: str, *, limit: int = 40) -> str:
    """``value`` for a page's footer (a CSS ``content`` string in templates/pdf/base.html):
    without the characters that would end or break that string, and shortened with an ellipsis
    to what the footer's margin box holds."""
    text = " ".join("".join(c for c in value if c not in '"\\<>&').split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_pdf(template: str, context: dict, *, language: str | None = None, title: str) -> bytes:
    """Render ``template`` to a tagged archival PDF (PDF/A-2a) in ``language``.

    templates/pdf/base.html puts ``title`` into <title> and the language into <html lang>;
    WeasyPrint turns them into the document's /Title (Info and XMP, shown by viewers instead of
    the file name) and /Lang, which screen readers need to name and pronounce the document.
    Its <meta> elements give the creation date (/CreationDate, xmp:CreateDate) and the creating
    application (/Creator); /Producer names WeasyPrint.
    """
    from weasyprint import HTML  # imported lazily: loading pango costs start-up time

    if not title.strip():
        raise ValueError("A tagged PDF needs a document title.")
    language = language or settings.LANGUAGE_CODE
    created = timezone.localtime().replace(microsecond=0).isoformat()
    with translation.override(language):
        html = render_to_string(
            template,
            {**context, "pdf_title": title, "pdf_created": created, "pdf_creator": PRODUCER_NAME},
        )
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"))
    return document.write_pdf(**PDF_OPTIONS)
