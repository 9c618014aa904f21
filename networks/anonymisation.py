"""What networks hold about a person (see regiolab.privacy.anonymisation): only free text may name them.

Memberships and coordinators point to user accounts, which the core anonymises.
"""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from regiolab.privacy import anonymisation
from regiolab.privacy.anonymisation import Scrubber

from .models import TrainingNetwork

TEXT_FIELDS = ("description", "description_en")


def find(*, email: str, names: Sequence[str]) -> dict:
    return {
        _("network descriptions naming the person"): Scrubber(email, tuple(names)).count_rows(
            TrainingNetwork.objects.all(), TEXT_FIELDS
        )
    }


def anonymise(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    return Scrubber(email, tuple(names)).scrub_rows(TrainingNetwork.objects.all(), TEXT_FIELDS)


def register() -> None:
    anonymisation.register("networks", anonymise=anonymise, find=find)
