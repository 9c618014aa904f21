"""PDF rendering with WeasyPrint from templates under templates/pdf/."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template: str, context: dict, *, language: str | None = None, title: str) -> bytes:
    """Render ``template`` to a tagged PDF (PDF/UA-1) in ``language``.

    templates/pdf/base.html puts ``title`` into <title> and the language into <html lang>;
    WeasyPrint turns them into the document's /Title (Info and XMP, shown by viewers instead of
    the file name) and /Lang, which screen readers need to name and pronounce the document.
    """
    from weasyprint import HTML  # imported lazily: loading pango costs start-up time

    if not title.strip():
        raise ValueError("A tagged PDF needs a document title.")
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(template, {**context, "pdf_title": title})
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"))
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
