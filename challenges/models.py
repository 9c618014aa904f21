"""Open Innovation Challenge: SMEs post challenges in a call, companies of any kind propose
solutions, reviewers score them, and a pitch day's 1:1 meetings match owners with providers.
The pitch event is an ordinary ``Workshop``, so registration, .ics, check-in and certificates
work as for any other."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Sector
from regiolab.validators import single_line


class Phase(models.TextChoices):
    """A call's phases in order; each starts on its date in ``Call``."""

    COLLECTING = "collecting", _("challenges collected")
    PUBLISHED = "published", _("challenges published")
    PROPOSALS = "proposals", _("proposals open")
    REVIEW = "review", _("review")
    PITCH_DAY = "pitch_day", _("pitch day")
    FOLLOW_UP = "follow_up", _("follow-up")


class Call(models.Model):
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    title_en = models.CharField(
        _("title (English)"), max_length=200, blank=True, validators=[single_line]
    )
    slug = models.SlugField(_("short name in the address"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    organiser = models.CharField(
        _("organiser"), max_length=200, blank=True, validators=[single_line]
    )
    funding_note = models.CharField(_("funding note"), max_length=300, blank=True)
    funding_note_en = models.CharField(_("funding note (English)"), max_length=300, blank=True)
    network = models.ForeignKey(
        "networks.TrainingNetwork",
        verbose_name=_("network"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenge_calls",
    )
    # Each phase starts on its date and lasts until the next one starts.
    collecting_from = models.DateField(_("challenges collected from"))
    published_from = models.DateField(_("challenges published from"))
    proposals_from = models.DateField(_("proposals open from"))
    proposals_until = models.DateTimeField(_("proposals deadline"))
    review_until = models.DateField(_("review until"))
    follow_up_from = models.DateField(_("follow-up from"))
    confidentiality_terms = models.TextField(_("confidentiality terms"), blank=True)
    confidentiality_terms_en = models.TextField(_("confidentiality terms (English)"), blank=True)
    # A new version asks every provider to accept the terms again.
    terms_version = models.CharField(_("terms version"), max_length=20, default="1")
    anonymous_review = models.BooleanField(_("reviewers do not see who proposed"), default=True)
    reviewers_see_other_reviews = models.BooleanField(
        _("reviewers see the other reviews"), default=False
    )
    pitch_event = models.OneToOneField(
        "workshops.Workshop",
        verbose_name=_("pitch event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenge_call",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-collecting_from", "title"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published_from__gte=models.F("collecting_from"))
                & models.Q(proposals_from__gte=models.F("published_from"))
                & models.Q(review_until__gte=models.F("proposals_from"))
                & models.Q(follow_up_from__gte=models.F("review_until")),
                name="call_phases_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:call", args=[self.slug])

    def phase(self, today=None) -> str:
        """The phase on ``today`` (default: today in the portal's time zone)."""
        today = today or timezone.localdate()
        deadline = timezone.localtime(self.proposals_until).date()
        if today >= self.follow_up_from:
            return Phase.FOLLOW_UP
        if today > self.review_until:
            return Phase.PITCH_DAY
        if today > deadline:
            return Phase.REVIEW
        if today >= self.proposals_from:
            return Phase.PROPOSALS
        if today >= self.published_from:
            return Phase.PUBLISHED
        return Phase.COLLECTING

    @property
    def proposals_open(self) -> bool:
        now = timezone.now()
        return timezone.localdate() >= self.proposals_from and now <= self.proposals_until


class Criterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200, validators=[single_line])
    name_en = models.CharField(
        _("criterion (English)"), max_length=200, blank=True, validators=[single_line]
    )
    description = models.TextField(_("what reviewers look for"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="criterion_weight"),
        ]

    def __str__(self) -> str:
        return self.name


class Challenge(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted for approval")
        REVISION = "revision", _("in revision")
        APPROVED = "approved", _("approved")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Budget(models.TextChoices):
        NONE = "", _("no budget")
        UP_TO_10K = "10k", _("up to 10,000 €")
        UP_TO_50K = "50k", _("10,000 to 50,000 €")
        UP_TO_100K = "100k", _("50,000 to 100,000 €")
        MORE = "more", _("more than 100,000 €")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="challenges")
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="challenges",
    )
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    problem = models.TextField(_("problem"))
    context = models.TextField(_("context"), blank=True)
    desired_outcome = models.TextField(_("desired outcome"))
    constraints = models.TextField(_("constraints"), blank=True)
    offer_budget = models.CharField(
        _("budget"), max_length=5, choices=Budget.choices, blank=True, default=Budget.NONE
    )
    offer_pilot_site = models.BooleanField(_("pilot site offered"), default=False)
    offer_data = models.TextField(_("data offered"), blank=True)
    offer_staff_time = models.CharField(
        _("staff time offered"), max_length=200, blank=True, validators=[single_line]
    )
    topics = models.ManyToManyField(
        "regiolab.Topic", verbose_name=_("topics"), blank=True, related_name="challenges"
    )
    sector = models.CharField(
        _("sector (NACE section)"), max_length=1, choices=Sector.choices, blank=True
    )
    public_summary = models.TextField(_("public summary"))
    confidential_text = models.TextField(
        _("confidential full text"),
        blank=True,
        help_text=_(
            "Shown only to signed-in providers who accepted the call's confidentiality terms."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["call", "title"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:challenge", args=[self.call.slug, self.pk])


class ChallengeComment(models.Model):
    """The coordinator's comments on a challenge, and the revision requests and approvals."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        REVISION = "revision", _("revision requested")
        APPROVAL = "approval", _("approved")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    text = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "created_at", "pk"]
        verbose_name = _("challenge comment")
        verbose_name_plural = _("challenge comments")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.challenge}"


class TermsAcceptance(models.Model):
    """A provider's acceptance of a call's confidentiality terms, kept like a consent."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="terms_acceptances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_terms"
    )
    company = models.ForeignKey(
        "companies.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    terms_version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("acceptance of confidentiality terms")
        verbose_name_plural = _("acceptances of confidentiality terms")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "user", "terms_version"], name="one_acceptance_per_terms_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.call} ({self.terms_version})"


class ProviderInvitation(models.Model):
    """A suggested provider invited by e-mail to propose for a challenge, once."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="provider_invitations"
    )
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="challenge_invitations"
    )
    reason = models.CharField(max_length=300, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invited provider")
        verbose_name_plural = _("invited providers")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "company"], name="one_invitation_per_provider_and_challenge"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} – {self.challenge}"


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        SHORTLISTED = "shortlisted", _("shortlisted")
        NOT_SELECTED = "not_selected", _("not selected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="proposals")
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("proposing company"),
        on_delete=models.PROTECT,
        related_name="challenge_proposals",
    )
    approach = models.TextField(_("approach"))
    team = models.TextField(_("team"), blank=True)
    references = models.TextField(_("references"), blank=True)
    cost_estimate = models.DecimalField(
        _("cost estimate (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    timeline = models.TextField(_("timeline"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decision_feedback = models.TextField(_("feedback to the proposer"), blank=True)
    # Set when the decision e-mail (invited to pitch / not selected) was queued, so it goes once.
    decision_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["challenge", "pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "company"], name="one_proposal_per_company_and_challenge"
            ),
        ]
        indexes = [models.Index(fields=["challenge", "status"])]

    def __str__(self) -> str:
        return f"{self.company} – {self.challenge}"


def attachment_upload_to(instance, filename: str) -> str:
    return f"proposals/{secrets.token_hex(16)}.pdf"


class ProposalAttachment(models.Model):
    """A PDF of a proposal (at most 10 MB, checked by content), kept in the private storage."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class CallReviewer(models.Model):
    """A reviewer of one call: a coordinator, or an external expert whose account sees only
    the proposals of this call assigned to them."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_reviews"
    )
    external = models.BooleanField(_("external expert"), default=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="one_reviewer_role_per_call"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.call}"


class ReviewAssignment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    # The conflicts of interest found when assigned (codes, see challenges.review.conflicts).
    conflicts = models.JSONField(_("conflicts of interest"), default=list, blank=True)
    override_reason = models.TextField(_("reason for assigning despite the conflict"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "pk"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="one_assignment_per_reviewer_and_proposal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} – {self.proposal}"


class Review(models.Model):
    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.CASCADE, related_name="review"
    )
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return str(self.assignment)


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="score_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class MeetingSlot(models.Model):
    """A time × table of the pitch day's 1:1 meetings."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    table = models.CharField(_("table"), max_length=40, validators=[single_line])

    class Meta:
        ordering = ["call", "starts_at", "table"]
        verbose_name = _("meeting slot")
        verbose_name_plural = _("meeting slots")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "starts_at", "table"], name="one_slot_per_time_and_table"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.starts_at:%H:%M}"


class Meeting(models.Model):
    """A 1:1 meeting requested by one side and accepted by the other. ``starts_at`` copies the
    slot's start so the database can refuse a person booked twice at one time."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="meetings")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="meetings")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="meetings")
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    provider_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    slot = models.ForeignKey(
        MeetingSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    plan_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["call", "starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "proposal"], name="one_meeting_per_pair"),
            # No table twice at one time, no person twice at one time.
            models.UniqueConstraint(
                fields=["slot"],
                condition=models.Q(slot__isnull=False),
                name="one_meeting_per_slot",
            ),
            models.UniqueConstraint(
                fields=["call", "starts_at", "owner_person"],
                condition=models.Q(starts_at__isnull=False),
                name="owner_once_per_time",
            ),
            models.UniqueConstraint(
                fields=["call", "starts_at", "provider_person"],
                condition=models.Q(starts_at__isnull=False),
                name="provider_once_per_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.challenge} – {self.proposal.company}"


class Match(models.Model):
    """What became of a challenge owner and a provider after the pitch day."""

    class Status(models.TextChoices):
        TALKS = "talks", _("in talks")
        NDA = "nda", _("NDA signed")
        PILOT = "pilot", _("pilot agreed")
        CONTRACT = "contract", _("contract signed")
        ENDED = "ended", _("no further contact")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="matches")
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="challenge_matches",
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="matches"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.TALKS
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["challenge", "company__name"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "company"], name="one_match_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.challenge} – {self.company}"


class MatchNote(models.Model):
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="notes")
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=10, choices=Match.Status.choices)
    text = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["match", "-date", "-pk"]
        verbose_name = _("match note")
        verbose_name_plural = _("match notes")

    def __str__(self) -> str:
        return f"{self.date}: {self.get_status_display()}"
