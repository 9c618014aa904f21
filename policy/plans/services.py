"""Writes of action plans: the plan, its actions (a grant only if the coordinator may see it),
indicators (linked to a grant's indicator or a portal figure, or entered by hand) and the
values entered by hand, every one kept as history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.models import Indicator as GrantIndicator
from funding.selectors import grants_visible_to
from policy.models import Action, ActionIndicator, ActionPlan, IndicatorValue

GRANT_NOT_VISIBLE = _(
    "You cannot use this grant: it does not exist or you are not allowed to see it."
)


def save_plan(*, plan: ActionPlan, practices=None, by=None) -> ActionPlan:
    if plan.pk is None:
        plan.created_by = by
    plan.full_clean()
    with transaction.atomic():
        plan.save()
        if practices is not None:
            plan.practices.set(practices)
    return plan


def check_grant_visible(*, grant_id: int | None, by) -> None:
    if grant_id and not grants_visible_to(by).filter(pk=grant_id).exists():
        raise ValidationError({"grant": GRANT_NOT_VISIBLE}, code="grant_not_visible")


def save_action(*, action: Action, by) -> Action:
    """Create or change an action. A grant the user may not see is refused, nothing saved."""
    check_grant_visible(grant_id=action.grant_id, by=by)
    errors = {}
    if action.starts_on and action.ends_on and action.ends_on < action.starts_on:
        errors["ends_on"] = _("The end lies before the start.")
    if action.grant_id and action.funding_text:
        errors["funding_text"] = _("Choose a grant of the portal or describe another source.")
    if errors:
        raise ValidationError(errors)
    action.full_clean()
    with transaction.atomic():
        if action.pk is None:
            ActionPlan.objects.select_for_update().get(pk=action.plan_id)
            last = Action.objects.filter(plan_id=action.plan_id).aggregate(m=Max("position"))["m"]
            action.position = 0 if last is None else min(last + 1, 32767)
        action.save()
    return action


def save_indicator(*, indicator: ActionIndicator, by) -> ActionIndicator:
    """An indicator is either entered by hand or linked: to a grant's indicator (of a grant the
    user may see) or to a portal figure (optionally for a topic or network)."""
    source = indicator.source
    S = ActionIndicator.Source
    if source == S.GRANT_INDICATOR:
        if not indicator.grant_indicator_id:
            raise ValidationError({"grant_indicator": _("Choose the grant's indicator.")})
        grant_id = (
            GrantIndicator.objects.filter(pk=indicator.grant_indicator_id)
            .values_list("grant_id", flat=True)
            .first()
        )
        if grant_id is None:
            raise ValidationError({"grant_indicator": GRANT_NOT_VISIBLE})
        try:
            check_grant_visible(grant_id=grant_id, by=by)
        except ValidationError:
            raise ValidationError({"grant_indicator": GRANT_NOT_VISIBLE}) from None
    else:
        indicator.grant_indicator = None
    if source in (S.MANUAL, S.GRANT_INDICATOR):
        indicator.topic = None
        indicator.network = None
    if source == S.CHALLENGES_MATCHED:
        indicator.network = None
    indicator.full_clean()
    with transaction.atomic():
        if indicator.pk is None:
            last = ActionIndicator.objects.filter(action_id=indicator.action_id).aggregate(
                m=Max("position")
            )["m"]
            indicator.position = 0 if last is None else min(last + 1, 32767)
        indicator.save()
    return indicator


def record_value(*, indicator: ActionIndicator, value, measured_on, by=None) -> IndicatorValue:
    """A value entered by hand with its date; every value is kept (history)."""
    if indicator.source != ActionIndicator.Source.MANUAL:
        raise ValidationError(
            _("This indicator updates itself from the portal; no value can be entered."),
            code="live",
        )
    if measured_on is None:
        raise ValidationError({"measured_on": _("Enter the date of the value.")})
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": _("The date may not lie in the future.")})
    row = IndicatorValue(indicator=indicator, value=value, measured_on=measured_on, entered_by=by)
    row.full_clean()
    row.save()
    return row
