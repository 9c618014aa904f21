from django.contrib import admin

from .models import AccessibilityFeedback, SitePage, SitePageSection


class SitePageSectionInline(admin.StackedInline):
    model = SitePageSection
    extra = 0
    fields = ["position", "level", "heading_de", "heading_en", "body_de", "body_en"]


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    """Coordinators edit these pages at /imprint/edit/ etc.; the admin is the fallback."""

    list_display = ["key", "updated_at", "updated_by"]
    readonly_fields = ["key", "updated_at", "updated_by"]
    inlines = [SitePageSectionInline]


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    """Messages from the accessibility statement's feedback form; read-only evidence."""

    list_display = ["created_at", "name", "email", "page_url"]
    search_fields = ["name", "email", "page_url", "message"]
    date_hierarchy = "created_at"
    fields = ["created_at", "name", "email", "page_url", "language", "message"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
