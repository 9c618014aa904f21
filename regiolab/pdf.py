"""PDF rendering with WeasyPrint from templates under templates/pdf/."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(
    template: str, context: dict, *, language: str | None = None, title: str = ""
) -> bytes:
    """Render ``template`` to a tagged PDF (PDF/UA where WeasyPrint manages) in ``language``."""
    from weasyprint import HTML  # imported lazily: loading pango costs start-up time

    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(template, {"pdf_title": title, **context})
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"))
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
