from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.validators import MaxLengthValidator
from django.db import transaction

from .mail.models import OutboundEmail
from .mail.services import wake_delivery


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails go through the outbox like every other e-mail of the portal."""

    def clean_email(self, email):
        # Sign-up, password reset and new addresses: longer than RFC 5321's 254 characters
        # cannot be stored (EmailAddress, OutboundEmail) or delivered.
        MaxLengthValidator(254)(email)
        return super().clean_email(email)

    def send_mail(self, template_prefix, email, context):
        # The same context allauth's own send_mail gives its templates, plus our site URL.
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "site_url": settings.SITE_URL,
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        if message.content_subtype == "html":
            html, text = message.body, ""
        else:
            text = message.body
        OutboundEmail.objects.create(
            to=email, subject=message.subject, body_text=text or html, body_html=html
        )
        transaction.on_commit(wake_delivery)
