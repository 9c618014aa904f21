"""Who may compose and send newsletters: the coordinators. Subscribing and unsubscribing
need no account (the token in the link is the proof)."""

import rules

from regiolab.permissions import is_coordinator

rules.add_perm("policy.manage_newsletter", is_coordinator)
