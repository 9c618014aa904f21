from django.contrib import admin

from regiolab.admin import HTTPS_URL_FIELDS

from . import services
from .models import AssociatedEnterprise, Company, CompanyInvitation, CompanyMember, Consultation


class AssociatedEnterpriseInline(admin.TabularInline):
    model = AssociatedEnterprise
    extra = 0


class CompanyMemberInline(admin.TabularInline):
    model = CompanyMember
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "municipality", "sector", "kind", "size_class_stored"]
    list_filter = ["size_class_stored", "kind", "sector", "municipality", "enterprise_type"]
    search_fields = ["name", "city", "postcode", "register_number"]
    readonly_fields = [
        "size_class_stored",
        "associated_headcount",
        "associated_turnover",
        "associated_balance_sheet",
        "created_at",
        "updated_at",
    ]
    filter_horizontal = ["training_needs"]
    formfield_overrides = HTTPS_URL_FIELDS
    inlines = [AssociatedEnterpriseInline, CompanyMemberInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Inline rows were saved directly; bring the aggregates and size class in step.
        services.refresh_associated_figures(company=form.instance)


@admin.register(CompanyMember)
class CompanyMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "status", "created_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "user__last_name", "company__name"]
    list_select_related = ["user", "company"]
    raw_id_fields = ["user", "company"]


@admin.register(CompanyInvitation)
class CompanyInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "invited_by", "created_at", "accepted_at"]
    search_fields = ["email", "company__name"]
    list_select_related = ["company", "invited_by"]
    raw_id_fields = ["company", "invited_by"]
    readonly_fields = ["token", "created_at", "accepted_at"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["company", "date", "channel", "coordinator", "follow_up_on", "follow_up_done"]
    list_filter = ["channel", "follow_up_done"]
    search_fields = ["company__name", "minutes"]
    list_select_related = ["company", "coordinator"]
    raw_id_fields = ["company", "coordinator"]
    date_hierarchy = "date"


@admin.register(AssociatedEnterprise)
class AssociatedEnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "relation", "share_percent"]
    list_select_related = ["company"]
    raw_id_fields = ["company"]

    def save_model(self, request, obj, form, change):
        services.save_associated_enterprises(company=obj.company, save=[obj])

    def delete_model(self, request, obj):
        services.delete_associated_enterprise(enterprise=obj)
