"""What networks hold about a person (see regiolab.anonymisation): only free text may name them.

Memberships and coordinators point to user accounts, which the core anonymises.
"""

from collections.abc import Sequence

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from regiolab import anonymisation
from regiolab.anonymisation import Scrubber

from .models import TrainingNetwork


def _text_fields() -> tuple[str, ...]:
    fields = []
    for name in ("description", "description_en"):
        try:
            TrainingNetwork._meta.get_field(name)
        except FieldDoesNotExist:  # the English description is optional
            continue
        fields.append(name)
    return tuple(fields)


def find(*, email: str, names: Sequence[str]) -> dict:
    return {
        _("network descriptions naming the person"): Scrubber(email, tuple(names)).count_rows(
            TrainingNetwork.objects.all(), _text_fields()
        )
    }


def anonymise(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    return Scrubber(email, tuple(names)).scrub_rows(TrainingNetwork.objects.all(), _text_fields())


def register() -> None:
    anonymisation.register("networks", anonymise=anonymise, find=find)
