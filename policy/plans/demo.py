"""Demo data for action plans: the action plan of the Region Hannover that adopts Lazio's Open Innovation
Challenge, with three actions (indicators entered by hand, linked to a portal figure and to the
demo grant's indicator). Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from funding.models import Grant
from funding.models import Indicator as GrantIndicator
from policy.models import Action, ActionIndicator, ActionPlan, GoodPractice, IndicatorValue

PLAN_TITLE = "Aktionsplan Region Hannover: Open Innovation Challenge"


def seed_plans_demo(stdout, *, group=None) -> ActionPlan:
    today = timezone.localdate()
    plan, created = ActionPlan.objects.get_or_create(
        title=PLAN_TITLE,
        defaults={
            "region": "Region Hannover",
            "period_start": date(today.year - 1, 1, 1),
            "period_end": date(today.year + 1, 12, 31),
            "group": group,
        },
    )
    if not created:
        return plan
    plan.practices.set(
        GoodPractice.objects.filter(title__icontains="Open Innovation Challenge")[:3]
    )
    grant = Grant.objects.order_by("pk").first()
    grant_indicator = (
        GrantIndicator.objects.filter(grant=grant).order_by("code").first() if grant else None
    )
    actions = [
        Action(
            plan=plan, position=0, title="Open Innovation Challenge für die Region Hannover aufsetzen",
            description="Nach dem Vorbild Latiums formulieren Unternehmen der Region "
            "Herausforderungen, die Start-ups und Forschungseinrichtungen lösen.",
            responsible_text="Koordinierungsstelle regioLab",
            players="Region Hannover, Leibniz Universität Hannover, IHK Hannover",
            starts_on=plan.period_start, ends_on=plan.period_start + timedelta(days=270),
            estimated_cost=Decimal("45000"), funding_text="EFRE Niedersachsen, Prioritätsachse 1",
            status=Action.Status.DONE,
        ),
        Action(
            plan=plan, position=1, title="Pitch-Tage und Vermittlung von Partnerschaften",
            description="Zwei Pitch-Tage pro Jahr; die Koordinierungsstelle begleitet die "
            "Gespräche bis zum Pilotprojekt.",
            responsible_text="Leibniz Universität Hannover – Transferstelle",
            starts_on=plan.period_start + timedelta(days=200), ends_on=plan.period_end,
            estimated_cost=Decimal("30000"), grant=grant,
            funding_text="" if grant else "Eigenmittel", status=Action.Status.RUNNING,
        ),
        Action(
            plan=plan, position=2, title="Workshops zur offenen Innovation für KMU",
            description="Workshops für kleine und mittlere Unternehmen zu Methoden der "
            "offenen Innovation und zur Formulierung von Challenges.",
            responsible_text="Region Hannover, Wirtschaftsförderung",
            starts_on=today - timedelta(days=90), ends_on=plan.period_end,
            estimated_cost=Decimal("12000"), funding_text="Landesmittel",
            status=Action.Status.DELAYED,
        ),
    ]  # fmt: skip
    Action.objects.bulk_create(actions)
    S = ActionIndicator.Source
    challenges = ActionIndicator.objects.create(
        action=actions[0], name="Veröffentlichte Challenges", unit="Challenges", target=10
    )
    for days, value in ((300, 3), (120, 7), (10, 9)):
        IndicatorValue.objects.create(
            indicator=challenges, value=value, measured_on=today - timedelta(days=days)
        )
    ActionIndicator.objects.create(
        action=actions[1], name="Vermittelte Challenges", target=5, source=S.CHALLENGES_MATCHED
    )
    if grant_indicator is not None:
        ActionIndicator.objects.create(
            action=actions[1], name="Laut Förderprojekt", target=grant_indicator.target,
            source=S.GRANT_INDICATOR, grant_indicator=grant_indicator, position=1,
        )  # fmt: skip
    ActionIndicator.objects.create(
        action=actions[2], name="Durchgeführte Workshops", target=6, source=S.WORKSHOPS_HELD
    )
    ActionIndicator.objects.create(
        action=actions[2], name="Erreichte Unternehmen", target=40, source=S.COMPANIES_REACHED,
        position=1,
    )  # fmt: skip
    stdout.write(f"Action plan: {plan.title} with {len(actions)} actions")
    return plan
