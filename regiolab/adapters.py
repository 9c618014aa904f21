from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from .mail import enqueue_delivery
from .models import OutboundEmail


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails go through the outbox like every other e-mail of the portal."""

    def send_mail(self, template_prefix, email, context):
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
        row = OutboundEmail.objects.create(
            to=email, subject=message.subject, body_text=text or html, body_html=html
        )
        transaction.on_commit(lambda: enqueue_delivery(row.pk))
