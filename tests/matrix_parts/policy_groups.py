"""Stakeholder groups (/policy/groups/), action plans (/policy/plans/) and their monitoring
reports (/policy/monitoring/): coordinators manage everything; a member of a stakeholder group
sees that group (and the list of their groups), nothing of other groups (404). The two member
roles are walked by tests/policy/test_groups_matrix_members.py over MEMBER_ROWS."""

from tests.matrix_rows import LOGIN, coordinator_page, coordinator_write, row

ROWS = [
    # --- stakeholder groups ---------------------------------------------------------------------
    coordinator_page("/policy/groups/"),
    coordinator_page("/policy/groups/new/"),
    coordinator_write("/policy/groups/new/", "stakeholder_group"),
    row("GET", "/policy/groups/{SG}/", LOGIN, 404, 404, 200, 404),
    row("GET", "/policy/groups/{missing}/", LOGIN, 404, 404, 404, 404),
    coordinator_page("/policy/groups/{SG}/edit/"),
    coordinator_write("/policy/groups/{SG}/edit/", "stakeholder_group"),
    coordinator_page("/policy/groups/{SG}/members/new/"),
    coordinator_write("/policy/groups/{SG}/members/new/", "group_member"),
    coordinator_page("/policy/groups/{SG}/members/{SG_member}/people/"),
    coordinator_write("/policy/groups/{SG}/members/{SG_member}/people/", "group_people"),
    coordinator_page("/policy/groups/{SG}/members/{SG_other_member}/people/", ok=404),
    coordinator_write("/policy/groups/{SG}/members/{SG_member}/remove/", None),
    coordinator_page("/policy/groups/{SG}/meetings/new/"),
    coordinator_write("/policy/groups/{SG}/meetings/new/", "group_meeting"),
    coordinator_write("/policy/groups/{SG}/meetings/{SG_upcoming}/invite/", None),
    coordinator_page("/policy/groups/{SG}/meetings/{SG_held}/minutes/"),
    coordinator_write("/policy/groups/{SG}/meetings/{SG_held}/minutes/", "group_minutes"),
    coordinator_page("/policy/groups/{SG_other}/meetings/{SG_held}/minutes/", ok=404),
    # --- action plans ---------------------------------------------------------------------------
    coordinator_page("/policy/plans/"),
    coordinator_page("/policy/plans/new/"),
    coordinator_write("/policy/plans/new/", "action_plan"),
    coordinator_page("/policy/plans/{AP}/"),
    coordinator_page("/policy/plans/{missing}/", ok=404),
    coordinator_page("/policy/plans/{AP}/edit/"),
    coordinator_write("/policy/plans/{AP}/edit/", "action_plan"),
    coordinator_page("/policy/plans/{AP}/actions/new/"),
    coordinator_write("/policy/plans/{AP}/actions/new/", "plan_action"),
    coordinator_page("/policy/plans/{AP}/actions/{AP_action}/"),
    coordinator_write("/policy/plans/{AP}/actions/{AP_action}/", "plan_action"),
    coordinator_page("/policy/plans/{AP}/actions/{AP_action}/indicators/new/"),
    coordinator_write("/policy/plans/{AP}/actions/{AP_action}/indicators/new/", "action_indicator"),
    coordinator_page("/policy/plans/{AP}/indicators/{AP_indicator}/values/new/"),
    coordinator_write(
        "/policy/plans/{AP}/indicators/{AP_indicator}/values/new/", "indicator_value"
    ),
    coordinator_page("/policy/plans/{AP}/monitoring/new/"),
    coordinator_write("/policy/plans/{AP}/monitoring/new/", "monitoring"),
    coordinator_page("/policy/monitoring/{MR_ready}/status/"),
    coordinator_page("/policy/monitoring/{MR_ready}/download/"),
    coordinator_page("/policy/monitoring/{MR_failed}/download/", ok=404),
    coordinator_page("/policy/monitoring/{missing}/download/", ok=404),
    coordinator_write("/policy/monitoring/{MR_failed}/retry/", None),
]

# Expected answers for a person of a member organisation of group SG (member_here) and one of
# another group only (member_elsewhere): their own group is visible, nothing else is.
MEMBER_ROWS = [
    # (method, path, member_here, member_elsewhere)
    ("GET", "/policy/groups/", 200, 200),
    ("GET", "/policy/groups/{SG}/", 200, 404),
    ("GET", "/policy/groups/{SG_other}/", 404, 200),
    ("GET", "/policy/groups/{missing}/", 404, 404),
    *[
        (method, path, 403, 403)
        for method, path in [(r.method, r.path) for r in ROWS]
        if path not in ("/policy/groups/", "/policy/groups/{SG}/", "/policy/groups/{missing}/")
    ],
]

PAYLOADS = {
    "stakeholder_group": lambda w: {
        "name": "Matrix-Stakeholdergruppe",
        "purpose": "Test",
        "region": "Nordhessen",
        "meetings_per_year": 2,
    },
    "group_member": lambda w: {
        "company": w.ids["SG_new_company"],
        "category": "business",
        "people": "neu@matrix.example",
    },
    "group_people": lambda w: {"people": "noch-jemand@matrix.example"},
    "group_meeting": lambda w: {
        "title": "Matrix-Sitzung",
        "starts_at": w.ids["SG_next_start"],
        "ends_at": w.ids["SG_next_end"],
        "venue": "Kassel",
        "capacity": 20,
    },
    "group_minutes": lambda w: {"minutes": "Protokoll", "decisions": "Beschluss"},
    "action_plan": lambda w: {
        "title": "Matrix-Aktionsplan",
        "region": "Nordhessen",
        "period_start": w.ids["AP_start"],
        "period_end": w.ids["AP_end"],
    },
    "plan_action": lambda w: {"title": "Matrix-Maßnahme", "status": "running"},
    "action_indicator": lambda w: {"name": "Beratungen", "target": "10", "source": "manual"},
    "indicator_value": lambda w: {"value": "3", "measured_on": w.ids["AP_today"]},
    "monitoring": lambda w: {
        "period_start": w.ids["AP_start"],
        "period_end": w.ids["AP_today"],
        f"narrative_{w.ids['AP_action']}": "Läuft.",
    },
}


def world(base) -> dict:
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from policy.groups import services as groups
    from policy.models import (
        Action,
        ActionIndicator,
        ActionPlan,
        GroupMeeting,
        MonitoringReport,
        StakeholderGroup,
    )
    from tests import matrix_world
    from tests.factories import CompanyFactory, UserFactory
    from workshops.models import Workshop

    matrix_world._WATCHED_APPS.add("policy")
    today = timezone.localdate()
    now = timezone.now()

    group = StakeholderGroup.objects.create(name="Matrix-Gruppe", region="Nordhessen")
    other = StakeholderGroup.objects.create(name="Andere Matrix-Gruppe", region="Latium")
    member = groups.add_member(
        group=group,
        company=CompanyFactory(name="Matrix Landkreis"),
        category="government",
        emails=["mitglied-hier@matrix.example"],
    )
    other_member = groups.add_member(
        group=other,
        company=CompanyFactory(name="Matrix Universität"),
        category="science",
        emails=["mitglied-dort@matrix.example"],
    )
    member_here = UserFactory(email="mitglied-hier@matrix.example")
    member_elsewhere = UserFactory(email="mitglied-dort@matrix.example")

    start = now + timedelta(days=40)
    upcoming = groups.schedule_meeting(
        group=group, title="Matrix-Sitzung kommend", starts_at=start,
        ends_at=start + timedelta(hours=2), venue="Kassel", capacity=20,
    )  # fmt: skip
    Workshop.objects.filter(pk=upcoming.workshop_id).update(status=Workshop.Status.PUBLISHED)
    past = now - timedelta(days=20)
    held = groups.schedule_meeting(
        group=group, title="Matrix-Sitzung gehalten", starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, hours=2), venue="Kassel", capacity=20,
    )  # fmt: skip
    Workshop.objects.filter(pk=held.workshop_id).update(
        starts_at=past, ends_at=past + timedelta(hours=2), status=Workshop.Status.DONE
    )
    GroupMeeting.objects.filter(pk=held.pk).update(minutes_sent_at=now)  # told before

    plan = ActionPlan.objects.create(
        title="Matrix-Aktionsplan Nordhessen", region="Nordhessen",
        period_start=today - timedelta(days=200), period_end=today + timedelta(days=500),
        group=group,
    )  # fmt: skip
    action = Action.objects.create(plan=plan, title="Matrix-Maßnahme 1", grant=base.grant)
    indicator = ActionIndicator.objects.create(action=action, name="Beratene", target=5)
    ready = MonitoringReport(
        plan=plan, period_start=plan.period_start, period_end=today, status="ready",
        progress=100, built_at=now,
    )  # fmt: skip
    ready.pdf.save("m.pdf", ContentFile(b"%PDF-1.4\n%matrix\n"), save=False)
    ready.xlsx.save("m.xlsx", ContentFile(b"PK matrix"), save=False)
    ready.save()
    failed = MonitoringReport.objects.create(
        plan=plan, period_start=plan.period_start, period_end=today, status="failed",
        error="kaputt",
    )  # fmt: skip
    local = timezone.localtime(now + timedelta(days=60)).replace(hour=14, minute=0)
    return {
        "SG": group.pk,
        "SG_other": other.pk,
        "SG_member": member.pk,
        "SG_other_member": other_member.pk,
        "SG_upcoming": upcoming.pk,
        "SG_held": held.pk,
        "SG_new_company": base.company_c.pk,
        "SG_next_start": local.strftime("%Y-%m-%dT%H:%M"),
        "SG_next_end": (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "SG_member_here": member_here.pk,
        "SG_member_elsewhere": member_elsewhere.pk,
        "AP": plan.pk,
        "AP_action": action.pk,
        "AP_indicator": indicator.pk,
        "AP_start": plan.period_start.isoformat(),
        "AP_end": plan.period_end.isoformat(),
        "AP_today": today.isoformat(),
        "MR_ready": ready.pk,
        "MR_failed": failed.pk,
    }


# For the accessibility scan (tests/e2e/test_accessibility.py).
NOT_HTML = {
    "policy/monitoring/<int:pk>/status/": "htmx fragment, scanned within the action plan page",
    "policy/monitoring/<int:pk>/download/": "PDF/XLSX (tests/policy/test_monitoring_report.py)",
}
