from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from regiolab.admin import HTTPS_URL_FIELDS

from .lifecycle import services as lifecycle
from .models import Invitation, Registration, Workshop
from .registration import services


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = ["first_name", "last_name", "email", "company_name", "status", "created_at"]
    # Seats change only through the services (lock + constraint), never by editing rows here.
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "format", "status", "capacity", "seats_taken"]
    list_filter = ["status", "format", "network"]
    search_fields = ["title", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["seats_taken", "created_at", "updated_at", "published_at", "cancelled_at"]
    filter_horizontal = ["topics"]
    date_hierarchy = "starts_at"
    formfield_overrides = HTTPS_URL_FIELDS
    inlines = [RegistrationInline]

    def save_model(self, request, obj, form, change):
        # Calendar programs take the copy with the higher SEQUENCE (RFC 5545); an edit here moves
        # the entry as one through the coordinator's pages does (workshops.lifecycle.services).
        moved = (*lifecycle.TIME_FIELDS, *lifecycle.PLACE_FIELDS, "status")
        if change and any(name in form.changed_data for name in moved):
            obj.sequence = F("sequence") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["sequence"])


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "workshop", "company_name", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["first_name", "last_name", "email", "company_name", "workshop__title"]
    list_select_related = ["workshop"]
    raw_id_fields = ["workshop", "company", "registered_by"]
    readonly_fields = [
        "workshop",
        "status",
        "cancel_token",
        "created_at",
        "confirmed_at",
        "promoted_at",
        "cancelled_at",
        "consent_given_at",
        "consent_text_version",
    ]
    actions = ["cancel_selected"]

    def has_add_permission(self, request):
        return False  # registrations are made through the registration service

    @admin.action(description=_("Cancel selected registrations (promotes from the waitlist)"))
    def cancel_selected(self, request, queryset):
        for registration in queryset:
            try:
                services.cancel_registration(registration=registration)
            except ValidationError as exc:
                self.message_user(request, f"{registration}: {exc.messages[0]}", messages.ERROR)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workshop", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["email", "workshop__title"]
    list_select_related = ["workshop"]
    readonly_fields = ["status", "attempts", "last_error", "sent_at", "created_at"]
