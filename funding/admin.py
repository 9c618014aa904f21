from django.contrib import admin

from regiolab.admin import HTTPS_URL_FIELDS

from .models import (
    BudgetLine,
    CofinancingShare,
    Expenditure,
    Funder,
    FundingProgramme,
    Grant,
    Indicator,
    ProgressReport,
)


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "level"]
    filter_horizontal = ["users"]
    search_fields = ["name"]


@admin.register(FundingProgramme)
class FundingProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "funding_body", "level", "deadline", "is_example", "is_published"]
    list_filter = ["level", "is_example", "is_published"]
    search_fields = ["name", "funding_body"]
    filter_horizontal = ["topics"]
    formfield_overrides = HTTPS_URL_FIELDS


class ShareInline(admin.TabularInline):
    # Edits here still meet the deferred trigger at commit: shares must add up to 100 %.
    model = CofinancingShare
    extra = 0


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "start_date", "end_date", "currency"]
    search_fields = ["reference", "title"]
    filter_horizontal = ["networks", "coordinators"]
    inlines = [ShareInline, BudgetLineInline, IndicatorInline]


@admin.register(Expenditure)
class ExpenditureAdmin(admin.ModelAdmin):
    list_display = ["grant", "date", "category", "payee", "amount", "receipt_reference"]
    list_filter = ["category", "grant"]
    list_select_related = ["grant"]
    search_fields = ["payee", "purpose", "receipt_reference"]


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ["grant", "kind", "period_start", "period_end", "status", "requested_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["grant"]
    readonly_fields = ["pdf_file", "xlsx_file", "error", "attempts", "build_seconds"]
