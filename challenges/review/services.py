"""Writes of the review: reviewers, assignments (by hand and balanced), scores, shortlist
decisions and their e-mails. Each function owns its transaction; e-mails go through the outbox
in the same transaction."""

from collections import Counter

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from regiolab.links import absolute_url
from regiolab.mail import queue_email
from regiolab.permissions import is_coordinator

from ..models import (
    Call,
    CallReviewer,
    Criterion,
    Phase,
    Proposal,
    Review,
    ReviewAssignment,
    Score,
)
from . import conflicts as coi

# Proposals that take part in the review (drafts and withdrawn ones do not).
REVIEWED_STATUSES = (
    Proposal.Status.SUBMITTED,
    Proposal.Status.SHORTLISTED,
    Proposal.Status.NOT_SELECTED,
)
DECISIONS = (Proposal.Status.SHORTLISTED, Proposal.Status.NOT_SELECTED)
DEFAULT_REVIEWERS_PER_PROPOSAL = 2


def _person(user) -> str:
    if user is None:
        return _("The coordination office")
    return user.get_full_name() or user.email


def review_url(call: Call) -> str:
    return absolute_url(reverse("challenges:review", args=[call.slug]))


def set_password_url(user) -> str:
    """allauth's password-reset link: the invited expert sets their own password with it."""
    kwargs = {"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)}
    return absolute_url(reverse("account_reset_password_from_key", kwargs=kwargs))


# --- Reviewers -------------------------------------------------------------------------------


def add_reviewer(
    *, call: Call, email: str, first_name: str = "", last_name: str = "", added_by=None
) -> CallReviewer:
    """Make the person with this e-mail address a reviewer of the call and tell them by e-mail.

    A person without an account gets one limited to this call (no company, no role) and a link
    to set their password; coordinators keep their account and review as internal reviewers."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    User = get_user_model()
    with transaction.atomic():
        Call.objects.select_for_update().get(pk=call.pk)
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        new_account = user is None
        if new_account:
            user = User(
                username=email.lower()[:150],
                email=email.lower(),
                first_name=first_name.strip()[:150],
                last_name=last_name.strip()[:150],
            )
            user.set_unusable_password()
            user.save()
            # The set-password link goes to this address: following it proves it is theirs.
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        elif CallReviewer.objects.filter(call=call, user=user).exists():
            raise ValidationError(
                {"email": _("This person is already a reviewer of this call.")}, code="reviewer"
            )
        reviewer = CallReviewer(call=call, user=user, external=not is_coordinator(user))
        reviewer.save()
        queue_email(
            to=user.email,
            template="challenge_reviewer_invitation",
            context={
                "call": call,
                "inviter": _person(added_by),
                "review_url": review_url(call),
                "set_password_url": set_password_url(user)
                if new_account or not user.has_usable_password()
                else "",
            },
        )
    return reviewer


def _reviewer_user(reviewer):
    return reviewer.user if isinstance(reviewer, CallReviewer) else reviewer


# --- Assignments ------------------------------------------------------------------------------


def assign_reviewer(
    *, proposal: Proposal, reviewer, override_reason: str = "", assigned_by=None
) -> ReviewAssignment:
    """Assign ``reviewer`` (a user or a ``CallReviewer``) to the proposal.

    A conflict of interest (see ``challenges.review.conflicts``) refuses the assignment unless
    ``override_reason`` says why it is made anyway; the flags and the reason are stored on the
    assignment. A person not yet a reviewer of the call becomes one."""
    user = _reviewer_user(reviewer)
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("challenge__call")
            .get(pk=proposal.pk)
        )
        call = proposal.challenge.call
        if proposal.status not in REVIEWED_STATUSES:
            raise ValidationError(
                _("Only submitted proposals can be assigned for review."), code="not_submitted"
            )
        if ReviewAssignment.objects.filter(proposal=proposal, reviewer=user).exists():
            raise ValidationError(
                _("This reviewer is already assigned to the proposal."), code="assigned"
            )
        found = coi.conflicts_of(user.pk, proposal)
        if found and not override_reason:
            raise ValidationError(
                _(
                    "Conflict of interest: the reviewer %(conflicts)s. Give a reason to assign "
                    "them anyway."
                )
                % {"conflicts": "; ".join(coi.label(code) for code in found)},
                code="conflict",
            )
        CallReviewer.objects.get_or_create(
            call=call, user=user, defaults={"external": not is_coordinator(user)}
        )
        assignment = ReviewAssignment(
            proposal=proposal,
            reviewer=user,
            conflicts=found,
            override_reason=override_reason if found else "",
            assigned_by=assigned_by,
        )
        assignment.save()
    return assignment


def unassign_reviewer(*, assignment: ReviewAssignment) -> None:
    """Take the assignment back; refused once the reviewer has submitted their review."""
    with transaction.atomic():
        assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if Review.objects.filter(assignment=assignment, submitted_at__isnull=False).exists():
            raise ValidationError(
                _("The reviewer has already submitted a review; the assignment stays."),
                code="reviewed",
            )
        assignment.delete()


def assign_balanced(
    *, call: Call, per_proposal: int = DEFAULT_REVIEWERS_PER_PROPOSAL, assigned_by=None
) -> tuple[int, list[Proposal]]:
    """Give each submitted proposal of the call ``per_proposal`` reviewers, always choosing the
    least loaded reviewer of the call without a conflict of interest (ties by who was added
    first). Existing assignments count and stay. Returns the number of assignments made and
    the proposals that could not get enough reviewers."""
    if not 1 <= per_proposal <= 10:
        raise ValidationError(_("Choose between 1 and 10 reviewers per proposal."), code="n")
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        reviewer_ids = list(
            CallReviewer.objects.filter(call=call).order_by("added_at", "pk")
            .values_list("user_id", flat=True)
        )  # fmt: skip
        if not reviewer_ids:
            raise ValidationError(_("Add reviewers to the call first."), code="no_reviewers")
        proposals = list(
            Proposal.objects.filter(challenge__call=call, status=Proposal.Status.SUBMITTED)
            .select_related("challenge")
            .order_by("challenge_id", "pk")
        )
        existing = set(
            ReviewAssignment.objects.filter(proposal__challenge__call=call).values_list(
                "proposal_id", "reviewer_id"
            )
        )
        load = Counter(dict.fromkeys(reviewer_ids, 0))
        load.update(reviewer for _proposal, reviewer in existing if reviewer in load)
        found = coi.conflicts_for(reviewer_ids, proposals)
        order = {reviewer_id: index for index, reviewer_id in enumerate(reviewer_ids)}
        new, short = [], []
        for proposal in proposals:
            have = sum(1 for reviewer_id in reviewer_ids if (proposal.pk, reviewer_id) in existing)
            candidates = sorted(
                (
                    r
                    for r in reviewer_ids
                    if (proposal.pk, r) not in existing and (r, proposal.pk) not in found
                ),
                key=lambda r: (load[r], order[r]),
            )
            needed = max(per_proposal - have, 0)
            for reviewer_id in candidates[:needed]:
                new.append(
                    ReviewAssignment(
                        proposal=proposal, reviewer_id=reviewer_id, assigned_by=assigned_by
                    )
                )
                load[reviewer_id] += 1
            if len(candidates) < needed:
                short.append(proposal)
        ReviewAssignment.objects.bulk_create(new)
    return len(new), short


# --- Scores -----------------------------------------------------------------------------------


def review_open(call: Call) -> bool:
    return call.phase() == Phase.REVIEW


def submit_review(*, assignment: ReviewAssignment, scores: dict, comment: str = "") -> Review:
    """Save the reviewer's scores (``{criterion_id: (score, comment)}``), one per criterion of
    the call, each 1 to 5. Anything missing or out of range refuses the whole review."""
    with transaction.atomic():
        assignment = (
            ReviewAssignment.objects.select_for_update(of=("self",))
            .select_related("proposal__challenge__call")
            .get(pk=assignment.pk)
        )
        call = assignment.proposal.challenge.call
        if not review_open(call):
            raise ValidationError(
                _("Reviews can only be written during the call's review phase."), code="phase"
            )
        criteria = list(Criterion.objects.filter(call=call))
        errors = {}
        for criterion in criteria:
            value, _note = scores.get(criterion.pk, (None, ""))
            try:
                number = int(value)
            except (TypeError, ValueError):
                errors[f"score_{criterion.pk}"] = _("Give a score from 1 to 5.")
                continue
            if not 1 <= number <= 5:
                errors[f"score_{criterion.pk}"] = _(
                    "A score must be between 1 and 5 (given: %(value)s)."
                ) % {"value": number}
        unknown = set(scores) - {criterion.pk for criterion in criteria}
        if unknown:
            errors["__all__"] = _("A score was given for a criterion of another call.")
        if errors:
            raise ValidationError(errors)
        review, _created = Review.objects.get_or_create(assignment=assignment)
        review.comment = comment.strip()
        review.submitted_at = review.submitted_at or timezone.now()
        review.save()
        review.scores.all().delete()
        Score.objects.bulk_create(
            Score(
                review=review,
                criterion=criterion,
                score=int(scores[criterion.pk][0]),
                comment=(scores[criterion.pk][1] or "").strip(),
            )
            for criterion in criteria
        )
    return review


# --- Shortlist and decisions ------------------------------------------------------------------


def decide(*, proposal: Proposal, status: str, feedback: str = "", decided_by=None) -> Proposal:
    """Shortlist the proposal or mark it not selected (or back to undecided), with optional
    feedback for the proposer. Refused once the decision e-mail has gone out."""
    allowed = (Proposal.Status.SUBMITTED, *DECISIONS)
    if status not in allowed:
        raise ValidationError(_("Choose a valid decision."), code="status")
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status not in REVIEWED_STATUSES:
            raise ValidationError(_("This proposal was not submitted."), code="not_submitted")
        if proposal.decision_sent_at is not None:
            raise ValidationError(
                _("The proposer has been told the decision already; it can no longer change."),
                code="sent",
            )
        proposal.status = status
        proposal.decision_feedback = feedback.strip()
        proposal.save(update_fields=["status", "decision_feedback", "updated_at"])
    return proposal


def _proposer_address(proposal: Proposal) -> str:
    if proposal.created_by_id and proposal.created_by.email:
        return proposal.created_by.email
    owner = (
        proposal.company.members.filter(status="active")
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return owner.user.email if owner else ""


def send_decisions(*, call: Call, sent_by=None) -> int:
    """E-mail each decided proposal's proposer once (invited to pitch / not selected, with the
    feedback). ``decision_sent_at``, checked under the proposals' row locks, makes a second
    call send nothing. Returns the number of e-mails queued."""
    sent = 0
    with transaction.atomic():
        proposals = list(
            Proposal.objects.select_for_update(of=("self",))
            .filter(challenge__call=call, status__in=DECISIONS, decision_sent_at__isnull=True)
            .select_related("challenge__call", "company", "created_by")
            .order_by("pk")
        )
        now = timezone.now()
        for proposal in proposals:
            address = _proposer_address(proposal)
            if address:
                template = (
                    "challenge_decision_shortlisted"
                    if proposal.status == Proposal.Status.SHORTLISTED
                    else "challenge_decision_not_selected"
                )
                queue_email(
                    to=address,
                    template=template,
                    context={
                        "call": call,
                        "proposal": proposal,
                        "challenge": proposal.challenge,
                        "company": proposal.company,
                        "feedback": proposal.decision_feedback,
                        "pitch_event": call.pitch_event,
                        "pitch_day_url": absolute_url(
                            reverse("challenges:pitch_day", args=[call.slug])
                        ),
                    },
                )
                sent += 1
            proposal.decision_sent_at = now
            proposal.save(update_fields=["decision_sent_at"])
    return sent
