"""What the audit log records of good practices: every change, the validation (status,
validated by) and the linked figures and transfers in the practice's history."""

from django.utils.translation import gettext_lazy as _

from policy.models import GoodPractice, PracticeFigure, Transfer
from regiolab.audit import services as audit


def register() -> None:
    audit.register(GoodPractice, m2m=("topics",))
    audit.register(PracticeFigure, labels={"practice": _("good practice")}, parents=("practice",))
    audit.register(Transfer, labels={"practice": _("good practice")}, parents=("practice",))
