"""What the audit log records of the learning cycles (regiolab/audit/services.py)."""

from django.utils.translation import gettext_lazy as _

from regiolab.audit import services as audit

from .models import LearningProgramme, ProgrammeOrganisation, ProgrammePerson


def register() -> None:
    audit.register(LearningProgramme, labels={"created_by": _("created by")})
    audit.register(
        ProgrammeOrganisation,
        labels={"added_by": _("added by"), "invited_at": _("invited")},
        parents=("programme",),
    )
    audit.register(ProgrammePerson, parents=("organisation",))
