"""Links to the portal from outside a page: e-mails, calendar files, PDFs and QR codes."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` (as ``reverse()`` or ``get_absolute_url()`` give it) on the portal's address."""
    return settings.SITE_URL.rstrip("/") + path
