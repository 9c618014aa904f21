"""A learning workshop's invitation names its programme and links to the programme's space,
where the tasks and reports of the cycle are (the invitation itself is the workshops' own)."""

from django.utils.translation import gettext as _

from regiolab.links import absolute_url


def programme_line(workshop) -> tuple[str, str] | None:
    from .models import Cycle

    try:
        # The workshop keeps the answer (also "none"): one query however many languages.
        cycle = workshop.learning_cycle
    except Cycle.DoesNotExist:
        return None
    text = _(
        'This workshop is cycle %(number)s of the learning programme "%(programme)s". Tasks '
        "and reports are in the programme's space:"
    ) % {"number": cycle.number, "programme": cycle.programme.title}
    return text, absolute_url(cycle.programme.get_absolute_url())


def register() -> None:
    from workshops.invitations.services import register_invitation_context

    register_invitation_context(programme_line)
