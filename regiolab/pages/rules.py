import rules

from regiolab.permissions import is_coordinator

rules.add_perm("pages.edit_site_page", is_coordinator)
