"""Learning cycles: a programme's organisations meet in learning workshops, one per cycle, and
report and do tasks between them. Each cycle's workshop is an ordinary ``Workshop``, so
registration, invitations, reminders, .ics, check-in and certificates work as for any other."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regiolab.validators import single_line


class LearningProgramme(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("running")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    slug = models.SlugField(_("short name in the address"), max_length=120, unique=True)
    goal = models.TextField(_("goal"), blank=True)
    description = models.TextField(_("description"), blank=True)
    network = models.ForeignKey(
        "networks.TrainingNetwork",
        verbose_name=_("network"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learning_programmes",
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    start = models.DateField(_("start date"))
    interval_weeks = models.PositiveSmallIntegerField(_("weeks between workshops"), default=8)
    shared_reports = models.BooleanField(
        _("organisations see each other's submitted reports"), default=True
    )
    public_summary = models.TextField(_("public summary"), blank=True)
    summary_published = models.BooleanField(_("public summary published"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start", "title"]
        verbose_name = _("learning programme")
        verbose_name_plural = _("learning programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_weeks__gte=1), name="programme_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:programme", args=[self.slug])

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class ProgrammeOrganisation(models.Model):
    """A company of any kind (firm, municipality, school, agency, chamber) in a programme."""

    class ActorType(models.TextChoices):
        FIRM = "firm", _("firm")
        PUBLIC_SECTOR = "public_sector", _("public sector")
        EDUCATION = "education", _("education")
        SUPPORT = "support", _("support organisation")

    programme = models.ForeignKey(
        LearningProgramme, on_delete=models.CASCADE, related_name="organisations"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="learning_participations",
    )
    actor_type = models.CharField(_("actor type"), max_length=15, choices=ActorType.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # Set when its people were invited to every cycle's workshop, so that happens once.
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "company__name"]
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "company"], name="one_participation_per_programme"
            ),
        ]

    def __str__(self) -> str:
        return str(self.company)


class ProgrammePerson(models.Model):
    """A person of a participating organisation; ``user`` is set where they have an account."""

    organisation = models.ForeignKey(
        ProgrammeOrganisation, on_delete=models.CASCADE, related_name="people"
    )
    email = models.EmailField(_("e-mail"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learning_people",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "last_name", "first_name", "email"]
        verbose_name = _("programme participant")
        verbose_name_plural = _("programme participants")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], name="one_person_per_address_and_organisation"
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email


class Cycle(models.Model):
    programme = models.ForeignKey(
        LearningProgramme, on_delete=models.CASCADE, related_name="cycles"
    )
    number = models.PositiveSmallIntegerField(_("cycle"))
    theme = models.CharField(_("theme"), max_length=200, blank=True, validators=[single_line])
    theme_en = models.CharField(
        _("theme (English)"), max_length=200, blank=True, validators=[single_line]
    )
    workshop = models.OneToOneField(
        "workshops.Workshop",
        verbose_name=_("learning workshop"),
        on_delete=models.PROTECT,
        related_name="learning_cycle",
    )
    # Reports may be written from this date until the cycle's workshop starts.
    report_opens_on = models.DateField(_("reports open"), null=True, blank=True)

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="one_cycle_per_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="cycle_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} – {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("learning:cycle", args=[self.programme.slug, self.number])


class Task(models.Model):
    class Assignee(models.TextChoices):
        ORGANISATION = "organisation", _("each organisation")
        PERSON = "person", _("each person")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    instructions = models.TextField(_("instructions"), blank=True)
    due_date = models.DateField(_("due date"))
    assignee = models.CharField(
        _("to be done by"), max_length=12, choices=Assignee.choices, default=Assignee.ORGANISATION
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "due_date", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class TaskSubmission(models.Model):
    """A task's answer by an organisation (``person`` empty) or by one person."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for revision")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="submissions")
    organisation = models.ForeignKey(
        ProgrammeOrganisation, on_delete=models.CASCADE, related_name="task_submissions"
    )
    person = models.ForeignKey(
        ProgrammePerson,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="task_submissions",
    )
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    feedback = models.TextField(_("feedback"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["task", "organisation", "pk"]
        verbose_name = _("task submission")
        verbose_name_plural = _("task submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "organisation"],
                condition=models.Q(person__isnull=True),
                name="one_submission_per_task_and_organisation",
            ),
            models.UniqueConstraint(
                fields=["task", "person"],
                condition=models.Q(person__isnull=False),
                name="one_submission_per_task_and_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}: {self.person or self.organisation}"


def attachment_upload_to(instance, filename: str) -> str:
    # Random names in the private storage: a guessed path reveals nothing.
    suffix = filename.rsplit(".", 1)[-1].lower()[:5]
    return f"learning/{secrets.token_hex(16)}.{suffix}"


class SubmissionAttachment(models.Model):
    submission = models.ForeignKey(
        TaskSubmission, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("learning:attachment_download", args=[self.pk])


class TaskReminder(models.Model):
    """One row per task, address and kind: a reminder is sent exactly once."""

    class Kind(models.TextChoices):
        WEEK_BEFORE = "7d", _("7 days before the due date")
        DAY_BEFORE = "1d", _("1 day before the due date")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    email = models.EmailField(max_length=254)
    kind = models.CharField(max_length=2, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("task reminder")
        verbose_name_plural = _("task reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "email", "kind"], name="one_task_reminder_per_address_and_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}: {self.email} ({self.kind})"


class CycleReport(models.Model):
    """An organisation's report of a cycle: activities, challenges, obstacles, opportunities."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reports")
    organisation = models.ForeignKey(
        ProgrammeOrganisation, on_delete=models.CASCADE, related_name="reports"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "organisation"]
        verbose_name = _("cycle report")
        verbose_name_plural = _("cycle reports")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation"], name="one_report_per_cycle_and_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.organisation}"


class FindingTag(models.Model):
    programme = models.ForeignKey(LearningProgramme, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("tag"), max_length=60, validators=[single_line])

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="one_tag_per_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ReportItem(models.Model):
    """One entry of a report's section. ``follows`` links an obstacle or opportunity to the
    item of an earlier cycle it continues, so findings can be followed from cycle to cycle."""

    class Section(models.TextChoices):
        ACTIVITY = "activity", _("activities")
        CHALLENGE = "challenge", _("challenges")
        OBSTACLE = "obstacle", _("obstacles")
        OPPORTUNITY = "opportunity", _("opportunities")

    report = models.ForeignKey(CycleReport, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(_("section"), max_length=12, choices=Section.choices)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(default=0)
    tags = models.ManyToManyField(FindingTag, verbose_name=_("tags"), blank=True)
    follows = models.ForeignKey(
        "self",
        verbose_name=_("continues the finding"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_by",
    )
    # A finding the organisation marks as overcome in this cycle's report.
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        ordering = ["report", "section", "position", "pk"]
        verbose_name = _("report item")
        verbose_name_plural = _("report items")

    def __str__(self) -> str:
        return self.text[:60]


class ReportReminder(models.Model):
    """A coordinator's one-click reminder: at most one per organisation, cycle and day."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="report_reminders")
    organisation = models.ForeignKey(
        ProgrammeOrganisation, on_delete=models.CASCADE, related_name="report_reminders"
    )
    sent_on = models.DateField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation", "sent_on"], name="one_report_reminder_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.organisation} ({self.sent_on})"


class ResultSection(models.Model):
    """The programme's results: tools and policy recommendations, in German and English."""

    class Kind(models.TextChoices):
        TOOL = "tool", _("tool")
        RECOMMENDATION = "recommendation", _("policy recommendation")

    programme = models.ForeignKey(
        LearningProgramme, on_delete=models.CASCADE, related_name="result_sections"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    title_en = models.CharField(
        _("title (English)"), max_length=200, blank=True, validators=[single_line]
    )
    body = models.TextField(_("text"))
    body_en = models.TextField(_("text (English)"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "kind", "position", "pk"]
        verbose_name = _("result section")
        verbose_name_plural = _("result sections")

    def __str__(self) -> str:
        return self.title


def final_report_upload_to(instance, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1]
    return f"learning-reports/{secrets.token_hex(16)}.{suffix}"


class FinalReport(models.Model):
    """The programme's final report (PDF and its XLSX twin), built by Celery like a grant's
    progress report and served only through a permission-checked view."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        BUILDING = "building", _("building")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    programme = models.ForeignKey(
        LearningProgramme, on_delete=models.CASCADE, related_name="final_reports"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # 0-100 while it builds, shown on the results page.
    progress = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(_("language"), max_length=2, default="de")
    pdf_file = models.FileField(_("PDF"), upload_to=final_report_upload_to, blank=True)
    xlsx_file = models.FileField(_("XLSX"), upload_to=final_report_upload_to, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("final report")
        verbose_name_plural = _("final reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="final_report_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} ({self.get_status_display()})"
