"""Reads of the surveys' distribution, with a query count that does not grow with the rows."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from workshops.models import Registration, Workshop

from ..models import MIN_SEGMENT, Survey, SurveyInvitation, WorkshopFeedback

FEEDBACK_LIST_DAYS = 60


def feedback_workshops(*, now=None) -> QuerySet[Workshop]:
    """Workshops ahead and those done in the last 60 days, with their feedback switch and
    counts (three subqueries, no per-row query)."""
    now = now or timezone.now()
    feedback = WorkshopFeedback.objects.filter(workshop=OuterRef("pk"))
    invitations = (
        SurveyInvitation.objects.filter(survey__workshop_feedback__workshop=OuterRef("pk"))
        .order_by()
        .values("survey__workshop_feedback__workshop")
    )
    return (
        Workshop.objects.filter(
            Q(status=Workshop.Status.PUBLISHED)
            | Q(
                status=Workshop.Status.DONE,
                ends_at__gt=now - timedelta(days=FEEDBACK_LIST_DAYS),
            )
        )
        .annotate(
            feedback_enabled=Coalesce(Subquery(feedback.values("enabled")[:1]), True),
            feedback_invited_at=Subquery(feedback.values("invited_at")[:1]),
            feedback_survey_id=Subquery(feedback.values("survey_id")[:1]),
            attendees=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.ATTENDED)
            ),
            invited=Coalesce(
                Subquery(invitations.annotate(n=Count("pk")).values("n")[:1]),
                0,
                output_field=IntegerField(),
            ),
            answered=Coalesce(
                Subquery(
                    invitations.filter(answered_at__isnull=False)
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
                output_field=IntegerField(),
            ),
        )
        .order_by("-ends_at", "pk")
    )


@dataclass(frozen=True)
class SegmentRate:
    segment: str
    invited: int
    answered: int

    @property
    def shown(self) -> bool:
        """Segments of fewer than MIN_SEGMENT invitations show no rate: with so few, who
        answered could be guessed."""
        return self.invited >= MIN_SEGMENT

    @property
    def rate(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited and self.shown else None


@dataclass(frozen=True)
class PanelStatus:
    invited: int
    sent: int
    pending: int
    answered: int
    reminded_once: int
    reminded_twice: int
    opted_out: int
    by_region: list[SegmentRate]
    by_organisation: list[SegmentRate]

    @property
    def rate(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited else None


def _rates(survey: Survey, field: str) -> list[SegmentRate]:
    rows = (
        survey.invitations.order_by()
        .values(field)
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by(field)
    )
    return [SegmentRate(row[field], row["invited"], row["answered"]) for row in rows]


def panel_status(survey: Survey) -> PanelStatus:
    """Counts and the response rate per region and per organisation, from answered_at
    (four queries whatever the number of invitations)."""
    from .services import not_opted_out

    totals = survey.invitations.aggregate(
        invited=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        reminded_once=Count("pk", filter=Q(reminders_sent=1)),
        reminded_twice=Count("pk", filter=Q(reminders_sent__gte=2)),
    )
    opted = survey.invitations.exclude(not_opted_out()).count()
    return PanelStatus(
        pending=totals["invited"] - totals["sent"],
        opted_out=opted,
        by_region=_rates(survey, "region"),
        by_organisation=_rates(survey, "organisation"),
        **totals,
    )


__all__ = ["feedback_workshops", "panel_status"]
