import rules

from regiolab.permissions import is_coordinator

rules.add_perm("outbox.view_failed_mail", is_coordinator)
rules.add_perm("outbox.resend_failed_mail", is_coordinator)
