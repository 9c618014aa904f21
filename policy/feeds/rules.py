"""Who may manage partner feeds: the coordinators (the events themselves are public)."""

import rules

from regiolab.permissions import is_coordinator

rules.add_perm("policy.manage_partner_feeds", is_coordinator)
