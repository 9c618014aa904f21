"""``manage.py seed_demo``: a small, believable demo of the Region Hannover. Safe to run again.

Each ``seed_*`` function writes one part with ``update_or_create`` on a natural key (slug, name,
e-mail), so a second run changes nothing but relative dates. Other apps add their part in their
own ``<app>/demo.py``; the funding part runs last when it exists.
"""

import importlib
import importlib.util
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from companies.models import AssociatedEnterprise, Company, CompanyMember, Consultation
from companies.services import refresh_associated_figures
from funding.models import Funder
from networks.models import NetworkMembership, TrainingNetwork
from regiolab import demo_data as data
from regiolab.models import Topic
from workshops.models import Workshop

BERLIN = ZoneInfo("Europe/Berlin")


class Tally:
    """Counts what a seed step created and what already existed."""

    def __init__(self):
        self.created = 0
        self.existing = 0

    def add(self, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.existing += 1

    def __str__(self) -> str:
        return f"{self.created} created, {self.existing} updated"


def seed_topics(stdout) -> dict[str, Topic]:
    tally, topics = Tally(), {}
    for slug, (name_de, name_en) in data.TOPICS.items():
        topics[slug], created = Topic.objects.update_or_create(
            slug=slug, defaults={"name_de": name_de, "name_en": name_en}
        )
        tally.add(created)
    stdout.write(f"Topics: {len(topics)} ({tally})")
    return topics


def seed_companies(stdout) -> dict[str, Company]:
    topics = {t.slug: t for t in Topic.objects.all()}
    tally, companies = Tally(), {}
    for row in data.COMPANIES:
        (name, legal_form, municipality, postcode, street, sector, code, kind,
         headcount, turnover, balance, needs) = row  # fmt: skip
        company, created = Company.objects.update_or_create(
            name=name,
            defaults={
                "legal_form": legal_form,
                "street": street,
                "postcode": postcode,
                "city": municipality,
                "municipality": municipality,
                "sector": sector,
                "sector_code": code,
                "kind": kind,
                "headcount": headcount,
                "annual_turnover": turnover,
                "balance_sheet_total": balance,
                "figures_year": 2025,
                "enterprise_type": Company.EnterpriseType.AUTONOMOUS,
                "contact_consent": True,
                "show_in_networks": True,
            },
        )
        company.training_needs.set([topics[slug] for slug in needs])
        companies[name] = company
        tally.add(created)

    associated = Tally()
    for name, enterprises in data.ASSOCIATED.items():
        company = companies[name]
        strongest = "partner"
        for ent_name, relation, share, headcount, turnover, balance in enterprises:
            _, created = AssociatedEnterprise.objects.update_or_create(
                company=company,
                name=ent_name,
                defaults={
                    "relation": relation,
                    "share_percent": share,
                    "headcount": headcount,
                    "annual_turnover": turnover,
                    "balance_sheet_total": balance,
                },
            )
            associated.add(created)
            if relation == "linked":
                strongest = "linked"
        company.enterprise_type = strongest
        company.save(update_fields=["enterprise_type"])
        companies[name] = refresh_associated_figures(company=company)

    sizes = {}
    for company in companies.values():
        sizes[company.size_class] = sizes.get(company.size_class, 0) + 1
    municipalities = {c.municipality for c in companies.values()}
    stdout.write(
        f"Companies: {len(companies)} ({tally}) in {len(municipalities)} municipalities; "
        + ", ".join(f"{n} {size}" for size, n in sorted(sizes.items()))
        + f"; partner/linked enterprises: {associated.created + associated.existing}"
    )
    return companies


def seed_networks(stdout) -> dict[str, TrainingNetwork]:
    topics = {t.slug: t for t in Topic.objects.all()}
    companies = {c.name: c for c in Company.objects.filter(name__in=_company_names())}
    tally, networks = Tally(), {}
    for slug, spec in data.NETWORKS.items():
        network, created = TrainingNetwork.objects.update_or_create(
            slug=slug,
            defaults={
                "name": spec["name"],
                "sector_focus": spec["sector_focus"],
                "status": spec["status"],
                "start_date": date(*spec["start_date"]),
                "end_date": date(*spec["end_date"]),
                "description": spec["description"],
            },
        )
        network.topics.set([topics[s] for s in spec["topics"]])
        networks[slug] = network
        tally.add(created)

    memberships = Tally()
    for slug, rows in data.MEMBERSHIPS.items():
        network = networks[slug]
        for company_name, role, status in rows:
            joined = network.start_date if status in ("active", "left") else None
            left = network.start_date + timedelta(days=120) if status == "left" else None
            _, created = NetworkMembership.objects.update_or_create(
                network=network,
                company=companies[company_name],
                defaults={"role": role, "status": status, "joined_on": joined, "left_on": left},
            )
            memberships.add(created)
    open_requests = NetworkMembership.objects.filter(
        network__in=networks.values(), status=NetworkMembership.Status.REQUESTED
    ).count()
    stdout.write(
        f"Networks: {len(networks)} ({tally}); memberships: "
        f"{memberships.created + memberships.existing} ({memberships}), "
        f"{open_requests} open request(s)"
    )
    return networks


def _company_names() -> list[str]:
    return [row[0] for row in data.COMPANIES]


def _demo_user(*, email: str, first_name: str, last_name: str):
    User = get_user_model()
    user, created = User.objects.update_or_create(
        email=email,
        defaults={"username": email, "first_name": first_name, "last_name": last_name},
    )
    user.set_password(data.DEMO_PASSWORD)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created


def seed_people(stdout) -> None:
    # The coordinator through the command that ops use too (group, verified address).
    spec = data.COORDINATOR
    call_command(
        "createcoordinator",
        spec["email"],
        password=data.DEMO_PASSWORD,
        first_name=spec["first_name"],
        last_name=spec["last_name"],
        stdout=StringIO(),
    )
    coordinator = get_user_model().objects.get(email=spec["email"])
    for network in TrainingNetwork.objects.filter(slug__in=data.NETWORKS):
        network.coordinators.add(coordinator)

    spec = data.REPRESENTATIVE
    rep, _ = _demo_user(
        email=spec["email"], first_name=spec["first_name"], last_name=spec["last_name"]
    )
    CompanyMember.objects.update_or_create(
        user=rep,
        defaults={
            "company": Company.objects.get(name=spec["company"]),
            "role": CompanyMember.Role.OWNER,
            "status": CompanyMember.Status.ACTIVE,
        },
    )

    spec = data.FUNDER_USER
    funder_user, _ = _demo_user(
        email=spec["email"], first_name=spec["first_name"], last_name=spec["last_name"]
    )
    for old_name, name in data.RENAMED_FUNDERS.items():
        if not Funder.objects.filter(name=name).exists():
            Funder.objects.filter(name=old_name).update(name=name)
    funders = [
        Funder.objects.update_or_create(name=name, defaults={"level": level})[0]
        for name, level in data.FUNDERS
    ]
    funders[0].users.add(funder_user)

    today = timezone.localdate()
    tally = Tally()
    companies = {c.name: c for c in Company.objects.filter(name__in=_company_names())}
    for name, days_ago, channel, subjects, follow_up, done, minutes in data.CONSULTATIONS:
        day = today - timedelta(days=days_ago)
        _, created = Consultation.objects.update_or_create(
            company=companies[name],
            minutes=minutes,
            defaults={
                "coordinator": coordinator,
                "date": day,
                "channel": channel,
                "subjects": subjects,
                "follow_up_on": day + timedelta(days=follow_up) if follow_up is not None else None,
                "follow_up_done": done,
            },
        )
        tally.add(created)
    open_follow_ups = Consultation.objects.filter(
        minutes__in=[c[-1] for c in data.CONSULTATIONS],
        follow_up_on__isnull=False,
        follow_up_done=False,
    ).count()

    password = data.DEMO_PASSWORD
    stdout.write(f"Coordinator: {data.COORDINATOR['email']} / {password}")
    stdout.write(
        f"Company representative: {data.REPRESENTATIVE['email']} / {password} "
        f"(owner of {data.REPRESENTATIVE['company']})"
    )
    stdout.write(f"Funder: {data.FUNDER_USER['email']} / {password} ({funders[0].name})")
    stdout.write(
        f"Funders: {', '.join(f.name for f in funders)}; consultations: "
        f"{len(data.CONSULTATIONS)} ({tally}), {open_follow_ups} open follow-up(s)"
    )


def seed_workshops(stdout) -> None:
    topics = {t.slug: t for t in Topic.objects.all()}
    networks = {n.slug: n for n in TrainingNetwork.objects.filter(slug__in=data.NETWORKS)}
    coordinator = get_user_model().objects.filter(email=data.COORDINATOR["email"]).first()
    today = timezone.localdate()
    now = timezone.now()
    tally = Tally()
    for row in data.WORKSHOPS:
        (slug, title, title_en, network_slug, topic_slugs, fmt, in_days, hour, hours,
         capacity, trainers, description) = row  # fmt: skip
        starts_at = datetime.combine(today + timedelta(days=in_days), time(hour), tzinfo=BERLIN)
        fields = {
            "title": title,
            "title_en": title_en,
            "description": description,
            "network": networks.get(network_slug),
            "format": fmt,
            "venue": data.WORKSHOP_VENUE if fmt != Workshop.Format.ONLINE else "",
            "online_url": data.WORKSHOP_ONLINE_URL + slug if fmt != Workshop.Format.ON_SITE else "",
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=hours),
            "registration_deadline": starts_at - timedelta(days=2),
            "language": Workshop.Language.GERMAN,
            "trainers": trainers,
            "funding_note": data.WORKSHOP_FUNDING_NOTE,
            "funding_note_en": data.WORKSHOP_FUNDING_NOTE_EN,
            "status": Workshop.Status.PUBLISHED,
        }
        workshop, created = Workshop.objects.update_or_create(
            slug=slug,
            defaults=fields,
            # Capacity only on creation: a re-run must not shrink it below seats taken.
            create_defaults={
                **fields,
                "capacity": capacity,
                "created_by": coordinator,
                "published_at": now,
            },
        )
        workshop.topics.set([topics[s] for s in topic_slugs])
        tally.add(created)
    stdout.write(f"Workshops: {len(data.WORKSHOPS)} published in the coming weeks ({tally})")


STEPS = (seed_topics, seed_companies, seed_networks, seed_people, seed_workshops)


def seed_surveys(stdout) -> None:
    from surveys.demo import seed_survey_demo

    seed_survey_demo(stdout)


def seed_other_apps(stdout) -> None:
    # The learning programme before funding, which may count it.
    from learning.demo import seed_learning_demo

    seed_learning_demo(stdout)
    from challenges.demo import seed_challenges_demo

    seed_challenges_demo(stdout)
    # funding/demo.py is written separately; run it only where it exists.
    if importlib.util.find_spec("funding.demo") is None:
        return
    funding_demo = importlib.import_module("funding.demo")
    grant = funding_demo.seed_funding_demo(stdout)
    # The demo funder user should see the demo grant: add them to its federal co-funder.
    shares = getattr(grant, "shares", None)
    if shares is not None:
        funder_user = get_user_model().objects.get(email=data.FUNDER_USER["email"])
        for share in shares.select_related("funder").filter(funder__level="federal"):
            share.funder.users.add(funder_user)


class Command(BaseCommand):
    help = "Load a small demo of the Region Hannover (companies, networks, people, workshops)."

    @transaction.atomic
    def handle(self, *args, **options):
        for step in STEPS:
            step(self.stdout)
        seed_other_apps(self.stdout)
        seed_surveys(self.stdout)
        # Last: practices and action plans link the other apps' figures and grants.
        from policy.demo import seed_policy_demo

        seed_policy_demo(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
