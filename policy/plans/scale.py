"""Scale data for action plans (``seed_scale``): 50 action plans × 10 actions, each action with
a manual indicator (three dated values) and one that follows a portal figure (workshops held
for a topic), all written with bulk_create. The plans' titles start with MARK."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from policy.models import Action, ActionIndicator, ActionPlan, IndicatorValue

MARK = "SCALE-"
PLANS = 50
ACTIONS = 10
STATUSES = list(Action.Status.values)


def flush_scale_plans() -> None:
    ActionPlan.objects.filter(title__startswith=MARK).delete()


def seed_scale_plans(seeder, *, plans: int = PLANS, actions: int = ACTIONS) -> int:
    rng = random.Random(getattr(seeder, "rng", random).random())
    topic_ids = list(getattr(seeder, "topic_ids", []) or [None])
    start = date(2026, 1, 1)
    created = ActionPlan.objects.bulk_create(
        [
            ActionPlan(
                title=f"{MARK}Aktionsplan {n + 1:02d}",
                region=f"Region {n % 12 + 1}",
                period_start=start - timedelta(days=365),
                period_end=start + timedelta(days=730),
            )  # fmt: skip
            for n in range(plans)
        ]
    )
    rows = ActionPlan.objects.filter(title__startswith=MARK).order_by("pk")
    plan_list = list(rows) if created and created[0].pk is None else created
    action_rows = Action.objects.bulk_create(
        [
            Action(
                plan=plan,
                position=k,
                title=f"Maßnahme {k + 1} von {plan.title}",
                description="Beschreibung der Maßnahme mit Zielen und Meilensteinen.",
                responsible_text=f"Organisation {rng.randint(1, 200)}",
                starts_on=plan.period_start + timedelta(days=30 * k),
                ends_on=plan.period_end,
                status=rng.choice(STATUSES),
                estimated_cost=Decimal(rng.randint(5, 200) * 1000),
                funding_text="EFRE",
            )  # fmt: skip
            for plan in plan_list
            for k in range(actions)
        ],
        batch_size=1000,
    )
    if action_rows and action_rows[0].pk is None:  # backends without RETURNING
        action_rows = list(Action.objects.filter(plan__in=plan_list).order_by("pk"))
    indicators = ActionIndicator.objects.bulk_create(
        [
            ActionIndicator(
                action=action,
                name=name,
                target=Decimal(rng.randint(5, 50)),
                source=source,
                topic_id=topic,
                position=p,
            )  # fmt: skip
            for action in action_rows
            for p, (name, source, topic) in enumerate(
                [
                    ("Beratene Unternehmen", ActionIndicator.Source.MANUAL, None),
                    (
                        "Durchgeführte Workshops",
                        ActionIndicator.Source.WORKSHOPS_HELD,
                        rng.choice(topic_ids),
                    ),
                ]  # fmt: skip
            )
        ],
        batch_size=1000,
    )
    if indicators and indicators[0].pk is None:
        indicators = list(ActionIndicator.objects.filter(action__in=action_rows).order_by("pk"))
    manual = [i for i in indicators if i.source == ActionIndicator.Source.MANUAL]
    values = IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                indicator=i,
                value=Decimal(rng.randint(0, 40)),
                measured_on=start - timedelta(days=200 - 90 * n),
            )  # fmt: skip
            for i in manual
            for n in range(3)
        ],
        batch_size=2000,
    )
    return len(plan_list) + len(action_rows) + len(indicators) + len(values)
