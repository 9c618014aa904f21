"""``manage.py seed_scale``: synthetic data at scale: load tests, query guards, EXPLAIN checks.

Everything is drawn from one ``random.Random(seed)`` against a fixed base date, so the same seed
gives the same names, counts and statuses on every run (tokens stay random: they are secrets).
Rows are written with ``bulk_create``; the derived columns the models keep on ``save()`` are
computed here (``Company.size_class_stored``, ``Workshop.seats_taken``).

Scale rows carry a marker so ``--flush`` removes them and nothing else: companies have a
register number starting ``SCALE-``, networks and workshops a slug starting ``scale-``, grants a
reference starting ``SCALE-``, funders and programmes a name starting ``Scale``.
"""

import random
import time
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from companies.models import MUNICIPALITIES, Company, Consultation, Sector
from funding.models import (
    BudgetLine,
    CofinancingShare,
    CostCategory,
    Expenditure,
    Funder,
    FundingProgramme,
    Grant,
    Indicator,
    IndicatorCode,
)
from networks.models import NetworkMembership, TrainingNetwork
from regiolab import demo_data
from regiolab.models import Topic
from regiolab.permissions import COORDINATORS_GROUP
from workshops.models import Invitation, Registration, Workshop

BERLIN = ZoneInfo("Europe/Berlin")
BASE_DATE = date(2026, 1, 5)  # fixed, so a seed always gives the same calendar
# Workshops before this day are "done" (or cancelled), later ones published (or draft).
HELD_BEFORE = BASE_DATE + timedelta(days=300)
BATCH = 2000
MARK = "SCALE-"
SLUG_MARK = "scale-"

FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hannes", "Ida", "Jonas",
               "Kira", "Lukas", "Mia", "Noah", "Olga", "Paul", "Rana", "Sven", "Tina", "Yusuf"]  # fmt: skip
LAST_NAMES = ["Albers", "Böhm", "Claasen", "Dierks", "Ehlers", "Fricke", "Gerdes", "Hoppe",
              "Janssen", "Köhler", "Lange", "Meyer", "Niemann", "Ohlendorf", "Peters", "Rühmann",
              "Schrader", "Thies", "Vogt", "Wittke"]  # fmt: skip
NAME_PARTS = ["Metall", "Kunststoff", "Elektro", "Holz", "Logistik", "Medizin", "Software", "Bau",
              "Antrieb", "Sensorik", "Pflege", "Druck", "Energie", "Lack", "Glas", "Feinwerk"]  # fmt: skip
NAME_SUFFIXES = ["technik", "bau", "service", "systeme", "werk", "handel", "partner"]
LEGAL_FORMS = ["GmbH", "GmbH & Co. KG", "AG", "e.K.", "UG (haftungsbeschränkt)", "KG"]
SECTORS = [Sector.C, Sector.C, Sector.C, Sector.F, Sector.G, Sector.H, Sector.J, Sector.M,
           Sector.Q, Sector.N]  # fmt: skip
# (weight, headcount range, turnover range in M€) → spreads the four EU size classes.
SIZE_PROFILES = [
    (40, (1, 9), (0.1, 1.9)),
    (30, (10, 49), (1.0, 9.5)),
    (20, (50, 249), (8.0, 45.0)),
    (10, (250, 3000), (60.0, 900.0)),
]


@dataclass
class Counts:
    companies: int = 5000
    networks: int = 60
    workshops: int = 1500
    registrations: int = 60000
    invitations: int = 3000
    grants: int = 3
    expenditures: int = 5000
    consultations: int = 2000


def has_scale_data() -> bool:
    return (
        Company.objects.filter(register_number__startswith=MARK).exists()
        or Grant.objects.filter(reference__startswith=MARK).exists()
        or Workshop.objects.filter(slug__startswith=SLUG_MARK).exists()
    )


@transaction.atomic
def flush() -> None:
    """Delete the scale rows only (demo and real data stay)."""
    Grant.objects.filter(reference__startswith=MARK).delete()
    FundingProgramme.objects.filter(name__startswith="Scale").delete()
    Funder.objects.filter(name__startswith="Scale").delete()
    Workshop.objects.filter(slug__startswith=SLUG_MARK).delete()
    TrainingNetwork.objects.filter(slug__startswith=SLUG_MARK).delete()
    Company.objects.filter(register_number__startswith=MARK).delete()


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 2)))


class Seeder:
    """Writes one step at a time; ``report(step, count, seconds)`` is called after each."""

    def __init__(self, *, counts: Counts, seed: int, report=None, coordinator=None):
        self.counts = counts
        self.rng = random.Random(seed)
        self.report = report or (lambda *args: None)
        self.coordinator = coordinator
        self.base = datetime.combine(BASE_DATE, datetime.min.time(), tzinfo=BERLIN)

    def _step(self, name: str, func):
        started = time.perf_counter()
        count = func()
        self.report(name, count, time.perf_counter() - started)

    @transaction.atomic
    def run(self) -> None:
        self._step("topics", self.topics)
        self._step("companies", self.companies)
        self._step("company topics", self.company_topics)
        self._step("networks", self.networks)
        self._step("network memberships", self.memberships)
        self._step("workshops", self.workshops)
        self._step("registrations", self.registrations)
        self._step("invitations", self.invitations)
        self._step("consultations", self.consultations)
        self._step("funders and grants", self.grants)
        self._step("expenditures", self.expenditures)

    # -- steps ---------------------------------------------------------------------------
    def topics(self) -> int:
        for slug, (name_de, name_en) in demo_data.TOPICS.items():
            Topic.objects.get_or_create(
                slug=slug, defaults={"name_de": name_de, "name_en": name_en}
            )
        self.topic_ids = list(
            Topic.objects.filter(slug__in=demo_data.TOPICS)
            .order_by("slug")
            .values_list("pk", flat=True)
        )
        return len(self.topic_ids)

    def companies(self) -> int:
        rng, rows = self.rng, []
        weights = [p[0] for p in SIZE_PROFILES]
        for i in range(self.counts.companies):
            _, heads, turnover = rng.choices(SIZE_PROFILES, weights=weights)[0]
            headcount = Decimal(rng.randint(*heads))
            turnover_eur = _money(rng, *turnover) * 1_000_000
            municipality = rng.choice(MUNICIPALITIES)
            company = Company(
                name=f"{rng.choice(NAME_PARTS)}{rng.choice(NAME_SUFFIXES)} "
                f"{rng.choice(LAST_NAMES)} {rng.choice(LEGAL_FORMS)} {i + 1:05d}",
                legal_form=rng.choice(LEGAL_FORMS),
                register_number=f"{MARK}{i + 1:06d}",
                street=f"{rng.choice(LAST_NAMES)}straße {rng.randint(1, 120)}",
                postcode=f"30{rng.randint(100, 999)}",
                city=municipality,
                municipality=municipality,
                sector=rng.choice(SECTORS),
                kind=Company.Kind.LARGE if headcount >= 250 else Company.Kind.SME,
                headcount=headcount,
                annual_turnover=turnover_eur,
                balance_sheet_total=(turnover_eur * Decimal("0.6")).quantize(Decimal("0.01")),
                figures_year=2024,
                contact_consent=rng.random() < 0.7,
                show_in_networks=rng.random() < 0.5,
            )
            # As Company.save() does: the stored copy of the derived size class.
            company.size_class_stored = company.size_class
            rows.append(company)
        self.company_objs = Company.objects.bulk_create(rows, batch_size=BATCH)
        self.company_ids = [c.pk for c in self.company_objs]
        return len(self.company_ids)

    def company_topics(self) -> int:
        through, rng = Company.training_needs.through, self.rng
        rows = [
            through(company_id=cid, topic_id=tid)
            for cid in self.company_ids
            for tid in rng.sample(self.topic_ids, rng.randint(0, 3))
        ]
        through.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def networks(self) -> int:
        rng, rows = self.rng, []
        statuses = [TrainingNetwork.Status.ACTIVE] * 3 + [
            TrainingNetwork.Status.PLANNED,
            TrainingNetwork.Status.CLOSED,
        ]
        for i in range(self.counts.networks):
            start = BASE_DATE + timedelta(days=rng.randint(-365, 365))
            rows.append(
                TrainingNetwork(
                    name=f"Verbund {rng.choice(NAME_PARTS)} {rng.choice(MUNICIPALITIES)} {i + 1}",
                    slug=f"{SLUG_MARK}verbund-{i + 1}",
                    sector_focus=rng.choice(SECTORS),
                    description="Synthetic network for load tests.",
                    status=rng.choice(statuses),
                    start_date=start,
                    end_date=start + timedelta(days=rng.randint(365, 3 * 365)),
                )
            )
        self.network_objs = TrainingNetwork.objects.bulk_create(rows, batch_size=BATCH)
        self.network_ids = [n.pk for n in self.network_objs]
        through = TrainingNetwork.topics.through
        through.objects.bulk_create(
            [
                through(trainingnetwork_id=nid, topic_id=tid)
                for nid in self.network_ids
                for tid in rng.sample(self.topic_ids, rng.randint(1, 3))
            ],
            batch_size=BATCH,
        )
        if self.coordinator is not None:
            through = TrainingNetwork.coordinators.through
            through.objects.bulk_create(
                [
                    through(trainingnetwork_id=nid, user_id=self.coordinator.pk)
                    for nid in self.network_ids
                ]
            )
        return len(self.network_ids)

    def memberships(self) -> int:
        if not self.network_ids:
            return 0
        rng, rows = self.rng, []
        roles = [NetworkMembership.Role.MEMBER] * 6 + [
            NetworkMembership.Role.ANCHOR,
            NetworkMembership.Role.EDUCATION_PROVIDER,
        ]
        for cid in self.company_ids:
            n = rng.choice([0, 0, 1, 1, 1, 2])
            for nid in rng.sample(self.network_ids, min(n, len(self.network_ids))):
                active = rng.random() < 0.85
                rows.append(
                    NetworkMembership(
                        network_id=nid,
                        company_id=cid,
                        role=rng.choice(roles),
                        status="active" if active else "requested",
                        joined_on=BASE_DATE - timedelta(days=rng.randint(0, 700))
                        if active
                        else None,
                    )
                )
        NetworkMembership.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def workshops(self) -> int:
        rng, rows = self.rng, []
        for i in range(self.counts.workshops):
            # Three years around the base date; past ones are done or cancelled.
            starts = self.base + timedelta(
                days=rng.randint(-365, 2 * 365), hours=rng.choice([9, 13])
            )
            past = starts.date() < HELD_BEFORE
            if past:
                status = "cancelled" if rng.random() < 0.05 else "done"
            else:
                status = "draft" if rng.random() < 0.1 else "published"
            fmt = rng.choice(["on_site", "online", "hybrid"])
            topic = rng.choice(NAME_PARTS)
            rows.append(
                Workshop(
                    title=f"{topic}-Werkstatt {i + 1}",
                    title_en=f"{topic} workshop {i + 1}",
                    slug=f"{SLUG_MARK}werkstatt-{i + 1}",
                    description="Synthetic workshop for load tests.",
                    network_id=rng.choice(self.network_ids)
                    if self.network_ids and rng.random() < 0.8
                    else None,
                    format=fmt,
                    venue=""
                    if fmt == "online"
                    else f"Bildungszentrum {rng.choice(MUNICIPALITIES)}",
                    online_url="https://meet.regiolab.example/scale" if fmt != "on_site" else "",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=rng.choice([2, 3, 4, 8])),
                    capacity=rng.randint(8, 60),
                    registration_deadline=starts - timedelta(days=2),
                    status=status,
                    published_at=None if status == "draft" else starts - timedelta(days=60),
                    cancelled_at=starts - timedelta(days=7) if status == "cancelled" else None,
                    created_by=self.coordinator,
                )
            )
        self.workshop_objs = Workshop.objects.bulk_create(rows, batch_size=BATCH)
        through = Workshop.topics.through
        through.objects.bulk_create(
            [
                through(workshop_id=w.pk, topic_id=tid)
                for w in self.workshop_objs
                for tid in rng.sample(self.topic_ids, rng.randint(1, 2))
            ],
            batch_size=BATCH,
        )
        return len(self.workshop_objs)

    def registrations(self) -> int:
        rng, total = self.rng, self.counts.registrations
        open_ = [w for w in self.workshop_objs if w.status != "draft"]
        if not open_ or not total:
            return 0
        # Split the total over the workshops by random weights; the remainder goes round-robin.
        weights = [rng.random() + 0.2 for _ in open_]
        scale = total / sum(weights)
        sizes = [int(w * scale) for w in weights]
        for i in range(total - sum(sizes)):
            sizes[i % len(sizes)] += 1
        rows, serial = [], 0
        for workshop, size in zip(open_, sizes, strict=True):
            seats = 0
            for _ in range(size):
                serial += 1
                if workshop.status == "cancelled":
                    status = "cancelled"
                elif seats < workshop.capacity and rng.random() < 0.9:
                    if workshop.status == "done":
                        status = "attended" if rng.random() < 0.85 else "no_show"
                    else:
                        status = "confirmed"
                    seats += 1
                else:
                    status = "waitlisted" if workshop.status == "published" else "cancelled"
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                company_id = rng.choice(self.company_ids) if self.company_ids else None
                rows.append(
                    Registration(
                        workshop=workshop,
                        first_name=first,
                        last_name=last,
                        # Unique per workshop (indeed globally) by the serial number.
                        email=f"{first}.{last}.{serial}@scale.example".lower(),
                        company_id=company_id,
                        company_name="",
                        status=status,
                        gender=rng.choice(["female", "male", "diverse", "declined", ""]),
                        age_band=rng.choice(["under_25", "25_54", "25_54", "55_plus", ""]),
                        confirmed_at=workshop.starts_at - timedelta(days=10)
                        if status in Registration.SEAT_HOLDING
                        else None,
                        attendance_marked_at=workshop.ends_at
                        if status in ("attended", "no_show")
                        else None,
                    )
                )
            workshop.seats_taken = seats
        Registration.objects.bulk_create(rows, batch_size=BATCH)
        Workshop.objects.bulk_update(open_, ["seats_taken"], batch_size=BATCH)
        return len(rows)

    def invitations(self) -> int:
        rng, rows, seen = self.rng, [], set()
        candidates = [w for w in self.workshop_objs if w.status == "published"]
        if not candidates:
            return 0
        for i in range(self.counts.invitations):
            workshop = rng.choice(candidates)
            email = f"einladung{i + 1}@scale.example"
            if (workshop.pk, email) in seen:
                continue
            seen.add((workshop.pk, email))
            sent = rng.random() < 0.8
            rows.append(
                Invitation(
                    workshop=workshop,
                    email=email,
                    company_id=rng.choice(self.company_ids) if self.company_ids else None,
                    network_id=workshop.network_id,
                    status="sent" if sent else "pending",
                    attempts=1 if sent else 0,
                    sent_at=workshop.starts_at - timedelta(days=30) if sent else None,
                    invited_by=self.coordinator,
                )
            )
        Invitation.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def consultations(self) -> int:
        if not self.company_ids:
            return 0
        rng, rows = self.rng, []
        subjects = [s.value for s in Consultation.Subject]
        for _ in range(self.counts.consultations):
            day = BASE_DATE + timedelta(days=rng.randint(-365, 365))
            follow = day + timedelta(days=rng.randint(7, 60)) if rng.random() < 0.3 else None
            rows.append(
                Consultation(
                    company_id=rng.choice(self.company_ids),
                    coordinator=self.coordinator,
                    date=day,
                    channel=rng.choice([c.value for c in Consultation.Channel]),
                    subjects=rng.sample(subjects, rng.randint(1, 2)),
                    minutes="Synthetic consultation.",
                    follow_up_on=follow,
                    follow_up_done=bool(follow) and rng.random() < 0.5,
                )
            )
        Consultation.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def grants(self) -> int:
        rng = self.rng
        federal, _ = Funder.objects.get_or_create(
            name="Scale Bundesministerium (synthetic)", defaults={"level": Funder.Level.FEDERAL}
        )
        region, _ = Funder.objects.get_or_create(
            name="Scale Region (synthetic)", defaults={"level": Funder.Level.REGION}
        )
        programme, _ = FundingProgramme.objects.get_or_create(
            name="Scale Weiterbildungsverbünde (synthetic)",
            funding_body=federal.name,
            defaults={"level": Funder.Level.FEDERAL, "funding_rate": Decimal(70)},
        )
        grants = []
        for i in range(self.counts.grants):
            start = BASE_DATE - timedelta(days=365) + timedelta(days=30 * i)
            grants.append(
                Grant(
                    programme=programme,
                    reference=f"{MARK}{i + 1:03d}",
                    title=f"Weiterbildungsverbünde Region – Los {i + 1}",
                    start_date=start,
                    end_date=start + timedelta(days=3 * 365 - 1),
                    total_eligible_costs=_money(rng, 800_000, 2_500_000),
                )
            )
        self.grant_objs = Grant.objects.bulk_create(grants)
        shares, lines, indicators, links = [], [], [], []
        through = Grant.networks.through
        for n, grant in enumerate(self.grant_objs):
            # 70/30: the constraint trigger checks the sum of 100 at commit.
            shares += [
                CofinancingShare(grant=grant, funder=federal, percent=Decimal(70)),
                CofinancingShare(grant=grant, funder=region, percent=Decimal(30)),
            ]
            for year in range(grant.start_date.year, grant.start_date.year + 3):
                for category in CostCategory.values:
                    lines.append(
                        BudgetLine(
                            grant=grant,
                            category=category,
                            year=year,
                            amount=_money(rng, 10_000, 150_000),
                        )
                    )
            for code in IndicatorCode.values:
                indicators.append(
                    Indicator(grant=grant, code=code, target=Decimal(rng.randint(50, 5000)))
                )
            links += [
                through(grant_id=grant.pk, trainingnetwork_id=nid)
                for nid in self.network_ids[n :: max(len(self.grant_objs), 1)]
            ]
            if self.coordinator is not None:
                grant.coordinators.add(self.coordinator)
        CofinancingShare.objects.bulk_create(shares)
        BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
        Indicator.objects.bulk_create(indicators, batch_size=BATCH)
        through.objects.bulk_create(links, batch_size=BATCH)
        return len(self.grant_objs)

    def expenditures(self) -> int:
        if not self.grant_objs:
            return 0
        rng, rows = self.rng, []
        for i in range(self.counts.expenditures):
            grant = rng.choice(self.grant_objs)
            span = (grant.end_date - grant.start_date).days
            rows.append(
                Expenditure(
                    grant=grant,
                    date=grant.start_date + timedelta(days=rng.randint(0, span)),
                    category=rng.choice(CostCategory.values),
                    payee=f"{rng.choice(NAME_PARTS)}{rng.choice(NAME_SUFFIXES)} GmbH",
                    purpose="Synthetic expenditure",
                    amount=_money(rng, 10, 9_000),
                    receipt_reference=f"B-{i + 1:06d}",
                    created_by=self.coordinator,
                )
            )
        Expenditure.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)


class Command(BaseCommand):
    help = "Write synthetic data at scale (deterministic by --seed) for load and query tests."

    def add_arguments(self, parser):
        defaults = Counts()
        for field in fields(Counts):
            parser.add_argument(
                f"--{field.name}", type=int, default=getattr(defaults, field.name), metavar="N"
            )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--flush", action="store_true", help="Delete earlier scale data first.")

    def handle(self, *args, **options):
        counts = Counts(**{f.name: options[f.name] for f in fields(Counts)})
        if any(getattr(counts, f.name) < 0 for f in fields(Counts)):
            raise CommandError("Counts cannot be negative.")
        started = time.perf_counter()
        # One transaction: a failed run leaves the earlier scale data in place.
        with transaction.atomic():
            if has_scale_data():
                if not options["flush"]:
                    raise CommandError(
                        "The database already holds scale data; run again with --flush to replace it."
                    )
                flush()
                self.stdout.write(f"flush: {time.perf_counter() - started:.1f} s")
            coordinator = (
                get_user_model()
                .objects.filter(groups__name=COORDINATORS_GROUP, is_active=True)
                .order_by("pk")
                .first()
            )

            def report(step: str, count: int, seconds: float) -> None:
                self.stdout.write(f"{step}: {count} in {seconds:.1f} s")

            Seeder(
                counts=counts, seed=options["seed"], report=report, coordinator=coordinator
            ).run()
        # Bulk-loaded tables have no planner statistics until autovacuum reaches them.
        analysed = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"analyze: {time.perf_counter() - analysed:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale data written in {time.perf_counter() - started:.1f} s total."
            )
        )
