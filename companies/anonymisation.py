"""What companies hold about a person (see regiolab.privacy.anonymisation).

The company itself is not personal data and stays. Colleague invitations lose the address;
consultation minutes and associated enterprises' names lose the person's name and address
wherever they mention them. Memberships point to the user account, which the core anonymises.
"""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from regiolab.privacy import anonymisation
from regiolab.privacy.anonymisation import Scrubber, not_pseudonymised

from .models import AssociatedEnterprise, CompanyInvitation, Consultation


def _invitations(email: str):
    return CompanyInvitation.objects.filter(email__iexact=email)


def find(*, email: str, names: Sequence[str]) -> dict:
    scrubber = Scrubber(email, tuple(names))
    return {
        _("colleague invitations"): _invitations(email).count(),
        _("consultation minutes naming the person"): scrubber.count_rows(
            Consultation.objects.all(), ("minutes",)
        ),
    }


def anonymise(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    scrubber = Scrubber(email, tuple(names))
    # An open invitation to the placeholder address can never be accepted: its token still
    # exists but nobody owns the address.
    changed = _invitations(email).filter(not_pseudonymised()).update(email=pseudonym)
    changed += scrubber.scrub_rows(Consultation.objects.all(), ("minutes",))
    # A sole trader's name may be the name of a partner enterprise.
    changed += scrubber.scrub_rows(AssociatedEnterprise.objects.all(), ("name",))
    return changed


def register() -> None:
    anonymisation.register("companies", anonymise=anonymise, find=find)
