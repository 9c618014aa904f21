"""Surveys: questionnaires in versions, their distribution by token links, responses and
answers. Anonymous responses carry no link to a token, a person, the time of day or the order
of arrival (random primary keys, the answer's date only); "has answered" lives on the
invitation, only to stop reminders."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regiolab.validators import single_line

# Results never show a segment of fewer responses than this.
MIN_SEGMENT = 5
# The longest free-text answer accepted.
MAX_TEXT_ANSWER = 2000


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Survey(models.Model):
    """A questionnaire and one round of asking it (a training-needs round, a panel wave, the
    feedback of workshops). ``is_template`` marks the shipped questionnaires that coordinators
    copy."""

    class Purpose(models.TextChoices):
        FEEDBACK = "feedback", _("workshop feedback")
        TRAINING_NEEDS = "training_needs", _("training needs")
        PANEL = "panel", _("panel survey")
        OTHER = "other", _("other")

    class Anonymity(models.TextChoices):
        ANONYMOUS = "anonymous", _("anonymous")
        IDENTIFIED = "identified", _("identified")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    title_en = models.CharField(
        _("title (English)"), max_length=200, blank=True, validators=[single_line]
    )
    description = models.TextField(_("introduction"), blank=True)
    description_en = models.TextField(_("introduction (English)"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=15, choices=Purpose.choices)
    anonymity = models.CharField(
        _("anonymity"), max_length=10, choices=Anonymity.choices, default=Anonymity.ANONYMOUS
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_template = models.BooleanField(_("ready-made questionnaire"), default=False)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    # The version new responses answer; earlier versions keep their answers.
    current_version = models.ForeignKey(
        "SurveyVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    network = models.ForeignKey(
        "networks.TrainingNetwork",
        verbose_name=_("network"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:detail", args=[self.pk])


class SurveyVersion(models.Model):
    """The questions as they were asked. A change that would make earlier answers wrong
    (removing a question or an option, changing a type) makes a new version."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="one_version_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"


class Section(models.Model):
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200, blank=True, validators=[single_line])
    title_en = models.CharField(
        _("title (English)"), max_length=200, blank=True, validators=[single_line]
    )
    # Shown only when the earlier question's answer is (or includes) this value.
    show_if_question = models.ForeignKey(
        "Question",
        verbose_name=_("show only if the answer to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    show_if_value = models.CharField(_("is"), max_length=100, blank=True)

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title or f"{self.position}"


class Question(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        SCALE = "scale", _("scale")
        NUMBER = "number", _("number")
        SHORT_TEXT = "short_text", _("short text")
        LONG_TEXT = "long_text", _("long text")
        MATRIX = "matrix", _("matrix")
        TOPIC = "topic", _("topic choice")

    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    # Stable across versions: results and exports are keyed by it.
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    text = models.TextField(_("question"))
    text_en = models.TextField(_("question (English)"), blank=True)
    help = models.TextField(_("help text"), blank=True)
    help_en = models.TextField(_("help text (English)"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    # Choices: [{"value": "a", "label": "…", "label_en": "…"}]; matrix rows likewise.
    options = models.JSONField(_("options"), default=list, blank=True)
    rows = models.JSONField(_("matrix rows"), default=list, blank=True)
    # Scale 1..scale_max (5 or 7) with its end labels; number bounds.
    scale_max = models.PositiveSmallIntegerField(_("scale points"), null=True, blank=True)
    low_label = models.CharField(_("label of the lowest point"), max_length=60, blank=True)
    low_label_en = models.CharField(_("(English)"), max_length=60, blank=True)
    high_label = models.CharField(_("label of the highest point"), max_length=60, blank=True)
    high_label_en = models.CharField(_("(English)"), max_length=60, blank=True)
    min_value = models.DecimalField(
        _("smallest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_length = models.PositiveIntegerField(_("longest answer (characters)"), default=500)
    show_if_question = models.ForeignKey(
        "self",
        verbose_name=_("show only if the answer to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    show_if_value = models.CharField(_("is"), max_length=100, blank=True)

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="one_question_per_code"),
            models.CheckConstraint(
                condition=models.Q(max_length__lte=MAX_TEXT_ANSWER),
                name="question_text_at_most_2000",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class SurveyInvitation(models.Model):
    """A recipient's link to a survey. For anonymous surveys ``answered_at`` lives only here,
    to stop reminders; nothing links it to the response."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"), max_length=254)
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_invitations",
    )
    registration = models.ForeignKey(
        "workshops.Registration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_invitations",
    )
    language = models.CharField(_("language"), max_length=2, default="de")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "email"], name="one_survey_invitation_per_address"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.email}"

    def get_absolute_url(self) -> str:
        return reverse("survey_links:answer", args=[self.token])


class SurveyOptOut(models.Model):
    """An address that wants no further survey e-mails (one click from any of them)."""

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey opt-out")
        verbose_name_plural = _("survey opt-outs")

    def __str__(self) -> str:
        return self.email


class Response(models.Model):
    """One questionnaire filled in. A random key and the date only: the table tells neither the
    order of arrival nor the time. ``respondent``/``company``/``invitation`` only when the survey
    is identified (a company's training-needs answer is identified by its company). The segment
    fields are copied when answering, so results stay the same when a person is anonymised."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    answered_on = models.DateField(_("answered on"))
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    invitation = models.OneToOneField(
        SurveyInvitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
    )
    # Segments, copied at answer time.
    size_class = models.CharField(_("size class"), max_length=10, blank=True)
    sector = models.CharField(_("sector"), max_length=10, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    network = models.ForeignKey(
        "networks.TrainingNetwork",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    workshop = models.ForeignKey(
        "workshops.Workshop",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    actor_type = models.CharField(_("actor type"), max_length=20, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)

    class Meta:
        # Never by key or arrival: by date, then a stable but meaningless order.
        ordering = ["survey", "answered_on", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "company"],
                condition=models.Q(company__isnull=False),
                name="one_response_per_company_and_round",
            ),
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=models.Q(respondent__isnull=False),
                name="one_response_per_respondent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} ({self.answered_on})"


class Answer(models.Model):
    """One value of a response, typed so results aggregate in SQL: a choice (``option``; a
    multiple choice or topic choice has one row per chosen option), a number or scale point
    (``number``; a matrix has one row per matrix ``row``), or text."""

    # Random like the response's key: rising answer keys would tell the order of arrival.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    row = models.CharField(max_length=40, blank=True)
    option = models.CharField(max_length=100, blank=True)
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "option"])]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), MAX_TEXT_ANSWER),
                name="answer_text_at_most_2000",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.option or self.number or self.text[:40]}"


class WorkshopFeedback(models.Model):
    """A workshop's feedback survey: on unless the coordinator switches it off; when the
    workshop is done each attendee is invited once and reminded once after 5 days."""

    workshop = models.OneToOneField(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="feedback"
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, null=True, blank=True, related_name="workshop_feedback"
    )
    enabled = models.BooleanField(_("ask attendees for feedback"), default=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("workshop feedback")
        verbose_name_plural = _("workshop feedback")

    def __str__(self) -> str:
        return str(self.workshop)


class DemandPlan(models.Model):
    """A draft workshop planned from a cell of the training-needs demand board: the companies
    behind the cell are invited once, when the coordinator publishes it from the plan's page
    (``invited_at`` set under the row's lock)."""

    workshop = models.OneToOneField(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="demand_plan"
    )
    topic = models.ForeignKey("regiolab.Topic", on_delete=models.PROTECT, related_name="+")
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, blank=True)
    companies = models.ManyToManyField("companies.Company", related_name="+", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("workshop planned from demand")
        verbose_name_plural = _("workshops planned from demand")

    def __str__(self) -> str:
        return str(self.workshop)
