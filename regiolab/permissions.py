"""Role predicates shared by every app (object rules live in each app's rules.py)."""

import rules

COORDINATORS_GROUP = "Coordinators"

is_coordinator = rules.is_group_member(COORDINATORS_GROUP)
