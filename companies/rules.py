import rules

from regiolab.permissions import is_coordinator

rules.add_perm("companies.list_companies", is_coordinator)
