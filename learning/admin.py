"""Admin for the learning models. Status changes, invitations and moves go through the
coordinators' pages (learning.services); the admin corrects data."""

from django.contrib import admin

from .models import (
    Cycle,
    CycleReport,
    FinalReport,
    FindingTag,
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
    ReportItem,
    ReportReminder,
    ResultSection,
    SubmissionAttachment,
    Task,
    TaskReminder,
    TaskSubmission,
)


class CycleInline(admin.TabularInline):
    model = Cycle
    fields = ["number", "theme", "theme_en", "workshop", "report_opens_on"]
    readonly_fields = ["number", "workshop"]
    extra = 0
    can_delete = False
    show_change_link = True


class OrganisationInline(admin.TabularInline):
    model = ProgrammeOrganisation
    fields = ["company", "actor_type", "added_at", "invited_at"]
    readonly_fields = ["added_at", "invited_at"]
    raw_id_fields = ["company"]
    extra = 0
    show_change_link = True


@admin.register(LearningProgramme)
class LearningProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "start", "interval_weeks", "summary_published"]
    list_filter = ["status", "summary_published"]
    search_fields = ["title", "slug"]
    readonly_fields = ["created_by", "created_at", "updated_at", "closed_at"]
    raw_id_fields = ["network"]
    inlines = [CycleInline, OrganisationInline]


class PersonInline(admin.TabularInline):
    model = ProgrammePerson
    fields = ["email", "first_name", "last_name", "user", "added_at"]
    readonly_fields = ["added_at"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(ProgrammeOrganisation)
class ProgrammeOrganisationAdmin(admin.ModelAdmin):
    list_display = ["company", "programme", "actor_type", "invited_at"]
    list_filter = ["actor_type"]
    search_fields = ["company__name", "programme__title"]
    list_select_related = ["company", "programme"]
    raw_id_fields = ["programme", "company", "added_by"]
    readonly_fields = ["added_at", "invited_at"]
    inlines = [PersonInline]


@admin.register(ProgrammePerson)
class ProgrammePersonAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "organisation", "user"]
    search_fields = ["email", "first_name", "last_name", "organisation__company__name"]
    list_select_related = ["organisation__company", "user"]
    raw_id_fields = ["organisation", "user"]


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["programme", "number", "theme", "workshop"]
    list_select_related = ["programme", "workshop"]
    search_fields = ["programme__title", "theme"]
    raw_id_fields = ["programme", "workshop"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "cycle", "due_date", "assignee"]
    list_filter = ["assignee"]
    list_select_related = ["cycle__programme"]
    search_fields = ["title", "cycle__programme__title"]
    raw_id_fields = ["cycle", "created_by"]


class AttachmentInline(admin.TabularInline):
    model = SubmissionAttachment
    fields = ["name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(TaskSubmission)
class TaskSubmissionAdmin(admin.ModelAdmin):
    list_display = ["task", "organisation", "person", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["task", "organisation__company", "person"]
    raw_id_fields = ["task", "organisation", "person", "updated_by"]
    inlines = [AttachmentInline]


class ItemInline(admin.TabularInline):
    model = ReportItem
    fields = ["section", "text", "position", "resolved", "follows"]
    raw_id_fields = ["follows"]
    extra = 0


@admin.register(CycleReport)
class CycleReportAdmin(admin.ModelAdmin):
    list_display = ["cycle", "organisation", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["cycle__programme", "organisation__company"]
    raw_id_fields = ["cycle", "organisation", "updated_by"]
    inlines = [ItemInline]


@admin.register(FindingTag)
class FindingTagAdmin(admin.ModelAdmin):
    list_display = ["name", "programme"]
    search_fields = ["name", "programme__title"]
    raw_id_fields = ["programme"]


@admin.register(ResultSection)
class ResultSectionAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "kind", "position"]
    list_filter = ["kind"]
    raw_id_fields = ["programme"]


@admin.register(FinalReport)
class FinalReportAdmin(admin.ModelAdmin):
    list_display = ["programme", "status", "progress", "requested_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [
        "status",
        "progress",
        "pdf_file",
        "xlsx_file",
        "error",
        "requested_by",
        "requested_at",
        "started_at",
        "finished_at",
    ]


@admin.register(TaskReminder)
class TaskReminderAdmin(admin.ModelAdmin):
    list_display = ["task", "email", "kind", "sent_at"]
    readonly_fields = ["task", "email", "kind", "sent_at"]


@admin.register(ReportReminder)
class ReportReminderAdmin(admin.ModelAdmin):
    list_display = ["cycle", "organisation", "sent_on", "sent_by"]
    readonly_fields = ["cycle", "organisation", "sent_on", "sent_by", "sent_at"]
