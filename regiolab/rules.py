import rules

from .permissions import is_coordinator

rules.add_perm("regiolab.view_outbox", is_coordinator)
rules.add_perm("regiolab.view_change_history", is_coordinator)
rules.add_perm("regiolab.export_personal_data", is_coordinator)
rules.add_perm("regiolab.anonymise_person", is_coordinator)
rules.add_perm("regiolab.resend_mail", is_coordinator)
