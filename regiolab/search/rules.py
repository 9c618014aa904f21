import rules

from regiolab.permissions import is_coordinator

rules.add_perm("search.search_portal", is_coordinator)
