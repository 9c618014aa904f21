import rules

from .permissions import is_coordinator

rules.add_perm("regiolab.view_outbox", is_coordinator)
rules.add_perm("regiolab.edit_site_page", is_coordinator)
