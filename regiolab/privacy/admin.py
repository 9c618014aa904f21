from django.contrib import admin

from .models import Consent


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Consents are evidence: written by the forms' services, withdrawn by the person; the admin
    only reads them."""

    list_display = ["given_at", "purpose", "text_version", "email", "user", "withdrawn_at"]
    list_filter = [
        "purpose",
        "source",
        "text_version",
        ("withdrawn_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "user__email", "subject"]
    date_hierarchy = "given_at"
    list_select_related = ["user"]
    readonly_fields = [f.name for f in Consent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
