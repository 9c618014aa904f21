"""Who may see and manage action plans and their monitoring reports: the coordinators."""

import rules

from regiolab.permissions import is_coordinator

rules.add_perm("policy.manage_plans", is_coordinator)
