import rules

from regiolab.permissions import is_coordinator

rules.add_perm("privacy.export_personal_data", is_coordinator)
rules.add_perm("privacy.anonymise_person", is_coordinator)
