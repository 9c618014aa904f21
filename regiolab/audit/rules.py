import rules

from regiolab.permissions import is_coordinator

rules.add_perm("audit.view_change_history", is_coordinator)
