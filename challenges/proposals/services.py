"""Writes of proposals: a company's draft and submission for a published challenge (one per
company and challenge, until the proposals deadline, under the challenge's row lock), its PDF
attachments in the private storage, and the confirmation e-mail on submission."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regiolab import uploads
from regiolab.links import absolute_url
from regiolab.mail import queue_email

from ..calls.services import company_addresses
from ..models import Challenge, Proposal, ProposalAttachment

MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
NOT_A_PDF = gettext_lazy(
    "Only PDF files can be attached (whatever the file's name says, this one is not a PDF)."
)
DEADLINE_PASSED = gettext_lazy(
    "The proposals deadline has passed (%(deadline)s): the proposal can no longer be changed. "
    "Nothing was saved."
)
ALREADY_PROPOSED = gettext_lazy(
    "Your company has already proposed a solution for this challenge. Open that proposal to "
    "change it; nothing else was saved."
)


@dataclass(frozen=True)
class AttachmentUpload:
    """A PDF already checked by content (validate_pdf)."""

    name: str  # the uploader's file name made harmless: a label only
    content: bytes


def validate_pdf(upload) -> None:
    """A PDF of at most 10 MB, decided by its bytes (never its name): an attachment's size and
    end-of-file checks (regiolab.uploads), the PDF header, and a document pypdf can open with at
    least one page."""
    uploads.check_attachment_size(upload, MAX_BYTES)
    data = uploads.read_upload(upload)
    if not data.startswith(b"%PDF-"):
        raise ValidationError(NOT_A_PDF, code="not_pdf")
    uploads.check_pdf_complete(data)
    try:
        from pypdf import PdfReader

        if len(PdfReader(io.BytesIO(data)).pages) < 1:
            raise ValueError("no pages")
    except Exception as exc:  # pypdf raises many kinds for a broken file
        raise ValidationError(
            uploads.BROKEN_ATTACHMENT, code="broken", params={"kind": "PDF"}
        ) from exc


def deadline_text(challenge: Challenge) -> str:
    return date_format(timezone.localtime(challenge.call.proposals_until), "SHORT_DATETIME_FORMAT")


def proposal_is_open(challenge: Challenge) -> bool:
    return challenge.status == Challenge.Status.PUBLISHED and challenge.call.proposals_open


@contextmanager
def _files_written() -> Iterator:
    """Yields ``write(row, upload)``; files written in a block that fails are deleted."""
    written = []

    def write(row: ProposalAttachment, upload: AttachmentUpload) -> None:
        row.file.save("attachment.pdf", ContentFile(upload.content), save=False)
        written.append((row.file.storage, row.file.name))

    try:
        yield write
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise


def save_proposal(
    *,
    challenge: Challenge,
    company,
    user,
    fields: dict,
    submit: bool = False,
    proposal_id: int | None = None,
    attachment: AttachmentUpload | None = None,
) -> Proposal:
    """Write the company's proposal for ``challenge``: a draft, or submitted with ``submit``
    (a submitted proposal stays submitted when changed). ``proposal_id`` is the proposal the
    form was opened on (None: a new one). Refused with a ValidationError, writing nothing:
    after the deadline, for an unpublished challenge, by the owning company, and a second
    proposal of one company for one challenge."""
    if company.pk == challenge.company_id:
        raise ValidationError(_("A company cannot propose a solution for its own challenge."))
    with _files_written() as write, transaction.atomic():
        # Every write of a challenge's proposals queues here: the deadline and the one-per-company
        # rule are decided on what the others committed.
        locked = (
            Challenge.objects.select_for_update(of=("self",))
            .select_related("call")
            .get(pk=challenge.pk)
        )
        if not proposal_is_open(locked):
            if locked.status != Challenge.Status.PUBLISHED:
                raise ValidationError(_("This challenge takes no proposals."))
            raise ValidationError(DEADLINE_PASSED % {"deadline": deadline_text(locked)})
        proposal = Proposal.objects.filter(challenge=locked, company=company).first()
        if proposal is None:
            if proposal_id:
                raise ValidationError(_("The proposal no longer exists; nothing was saved."))
            proposal = Proposal(challenge=locked, company=company, created_by=user)
        elif proposal.pk != proposal_id:
            raise ValidationError(ALREADY_PROPOSED)
        if proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED):
            raise ValidationError(_("The proposal can no longer be changed."))
        for name, value in fields.items():
            setattr(proposal, name, value)
        newly_submitted = submit and proposal.status == Proposal.Status.DRAFT
        if newly_submitted:
            proposal.status = Proposal.Status.SUBMITTED
            proposal.submitted_at = timezone.now()
        if (
            attachment is not None
            and proposal.pk
            and proposal.attachments.count() >= MAX_ATTACHMENTS
        ):
            raise ValidationError(
                {
                    "attachment": _("A proposal may have at most %(max)s attachments.")
                    % {"max": MAX_ATTACHMENTS}
                }
            )
        proposal.full_clean(exclude=["challenge", "company"])
        try:
            with transaction.atomic():
                proposal.save()
        except IntegrityError as exc:  # backed by one_proposal_per_company_and_challenge
            raise ValidationError(ALREADY_PROPOSED) from exc
        if attachment is not None:
            row = ProposalAttachment(
                proposal=proposal,
                name=attachment.name,
                size=len(attachment.content),
                uploaded_by=user,
            )
            write(row, attachment)
            row.save()
        if newly_submitted:
            url = absolute_url(reverse("challenges:proposal", args=[proposal.pk]))
            for address in company_addresses(company, user):
                queue_email(
                    to=address,
                    template="challenges/proposal_submitted",
                    context={
                        "challenge": locked,
                        "company": company,
                        "proposal": proposal,
                        "deadline": deadline_text(locked),
                        "proposal_url": url,
                    },
                )
    return proposal


def remove_attachment(*, attachment: ProposalAttachment, user) -> None:
    """Remove an attachment of one's own proposal while it may be changed; the file goes after
    commit."""
    with transaction.atomic():
        challenge = (
            Challenge.objects.select_for_update(of=("self",))
            .select_related("call")
            .get(pk=attachment.proposal.challenge_id)
        )
        if not proposal_is_open(challenge):
            raise ValidationError(DEADLINE_PASSED % {"deadline": deadline_text(challenge)})
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))
