import rules

from .permissions import is_coordinator

rules.add_perm("regiolab.view_outbox", is_coordinator)
rules.add_perm("regiolab.resend_mail", is_coordinator)
