from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox is written by regiolab.mail.services only; the admin reads it (who got what, errors)."""

    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_per_page = 50
    fields = [
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "failing_since",
        "next_attempt_at",
        "message_id",
        "created_at",
        "sent_at",
        "attachment_names",
        "body_text",
        "body_html",
    ]
    readonly_fields = fields

    @admin.display(description=_("attachments"))
    def attachment_names(self, obj: OutboundEmail) -> str:
        return ", ".join(item.get("filename", "") for item in obj.attachments) or "–"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
