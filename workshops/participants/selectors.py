"""What the participants page's confirmation steps show before anything is written."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Registration, Workshop
from ..registration import services


@dataclass
class CancelPreview:
    cancelled: list[Registration] = field(default_factory=list)
    skipped: list[Registration] = field(default_factory=list)
    moving_up: list[Registration] = field(default_factory=list)

    @property
    def effects(self) -> list[str]:
        """What will happen, one sentence each, for the confirmation step."""
        lines = [
            _("The registration of %(name)s (%(status)s) is cancelled; their place is freed.")
            % {"name": r.full_name, "status": r.get_status_display()}
            if r.holds_seat
            else _("The registration of %(name)s (%(status)s) is cancelled.")
            % {"name": r.full_name, "status": r.get_status_display()}
            for r in self.cancelled
        ]
        lines += [
            _("%(name)s moves up from the waitlist into a freed place.") % {"name": r.full_name}
            for r in self.moving_up
        ]
        if self.skipped:
            lines.append(
                ngettext(
                    "Not cancelled, as attendance is recorded or it is cancelled already: "
                    "%(names)s.",
                    "Not cancelled, as attendance is recorded or they are cancelled already: "
                    "%(names)s.",
                    len(self.skipped),
                )
                % {"names": ", ".join(r.full_name for r in self.skipped)}
            )
        return lines

    @property
    def notified(self) -> list[str]:
        """Who is told, and how."""
        lines = [
            _(
                "%(name)s gets an e-mail at %(email)s saying that the coordinator cancelled "
                "the registration."
            )
            % {"name": r.full_name, "email": r.email}
            for r in self.cancelled
        ]
        lines += [
            _("%(name)s gets an e-mail at %(email)s with the confirmed place.")
            % {"name": r.full_name, "email": r.email}
            for r in self.moving_up
        ]
        return lines


def cancel_preview(workshop: Workshop, selected: list[Registration]) -> CancelPreview:
    """Who a cancellation of ``selected`` cancels, skips, and moves up from the waitlist (as
    the service will decide it now; the service decides again under the lock)."""
    preview = CancelPreview()
    for registration in selected:
        if registration.status in services.CANCELLABLE:
            preview.cancelled.append(registration)
        else:
            preview.skipped.append(registration)
    freed = sum(1 for r in preview.cancelled if r.holds_seat)
    # Seats given over capacity go first; only seats within the capacity move people up.
    freed -= max(workshop.seats_taken - workshop.capacity, 0)
    if freed > 0 and services.seat_promotion_open(workshop, timezone.now()):
        leaving = {r.pk for r in preview.cancelled}
        preview.moving_up = list(
            Registration.objects.filter(workshop=workshop, status=Registration.Status.WAITLISTED)
            .exclude(pk__in=leaving)
            .order_by("pk")[:freed]
        )
    return preview


@dataclass
class MovePreview:
    effects: list[str]
    notified: list[str]


def move_preview(workshop: Workshop, registration: Registration, target: Workshop) -> MovePreview:
    """What moving ``registration`` to ``target`` does now (the service decides again under
    the locks): a seat there or its waitlist, and who moves up here."""
    waiting = Registration.objects.filter(
        workshop=target, status=Registration.Status.WAITLISTED
    ).count()
    seat = target.capacity - target.seats_taken - waiting > 0
    values = {
        "name": registration.full_name,
        "email": registration.email,
        "title": target.display_title,
        "previous": workshop.display_title,
    }
    effects = [
        _("The registration of %(name)s for “%(previous)s” is cancelled (moved).") % values,
        _("%(name)s gets a confirmed place at “%(title)s”.") % values
        if seat
        else _("“%(title)s” is fully booked: %(name)s joins the end of its waitlist.") % values,
    ]
    notified = [
        _(
            "%(name)s gets one e-mail at %(email)s with the new workshop's details and the "
            "calendar files."
        )
        % values
    ]
    if registration.holds_seat:
        moving_up = cancel_preview(workshop, [registration]).moving_up
        for person in moving_up:
            effects.append(
                _("%(name)s moves up from the waitlist into the freed place.")
                % {"name": person.full_name}
            )
            notified.append(
                _("%(name)s gets an e-mail at %(email)s with the confirmed place.")
                % {"name": person.full_name, "email": person.email}
            )
    return MovePreview(effects, notified)
