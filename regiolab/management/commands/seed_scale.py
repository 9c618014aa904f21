"""``manage.py seed_scale``: synthetic data at scale: load tests, query guards, EXPLAIN checks.

Everything is drawn from one ``random.Random(seed)`` against a fixed base date, so the same seed
gives the same names, counts and statuses on every run (tokens stay random: they are secrets).
Rows are written with ``bulk_create``; the derived columns the models keep on ``save()`` are
computed here (``Company.size_class_stored``, ``Workshop.seats_taken``).

Scale rows carry a marker so ``--flush`` removes them and nothing else: companies have a
register number starting ``SCALE-``, networks and workshops a slug starting ``scale-``, grants a
reference starting ``SCALE-``, funders and programmes a name starting ``Scale``, learning
programmes (and their cycles' workshops) a slug starting ``scale-``.
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

from challenges.scale import flush_scale_challenges, seed_scale_challenges
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
from learning.models import (
    Cycle,
    CycleReport,
    FindingTag,
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
    ReportItem,
    Task,
    TaskSubmission,
)
from networks.models import NetworkMembership, TrainingNetwork
from policy.scale import flush_scale_policy, seed_scale_policy
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
    programmes: int = 20
    programme_organisations: int = 12
    feedback_responses: int = 10000
    needs_answers: int = 2000
    calls: int = 20  # Open Innovation calls, each 20 challenges × 15 proposals with reviews


def has_scale_data() -> bool:
    return (
        Company.objects.filter(register_number__startswith=MARK).exists()
        or Grant.objects.filter(reference__startswith=MARK).exists()
        or Workshop.objects.filter(slug__startswith=SLUG_MARK).exists()
        or LearningProgramme.objects.filter(slug__startswith=SLUG_MARK).exists()
    )


@transaction.atomic
def flush() -> None:
    """Delete the scale rows only (demo and real data stay)."""
    # Before grants, workshops and companies, which their rows point to.
    flush_scale_policy()
    flush_scale_challenges()
    Grant.objects.filter(reference__startswith=MARK).delete()
    FundingProgramme.objects.filter(name__startswith="Scale").delete()
    Funder.objects.filter(name__startswith="Scale").delete()
    # Before workshops and companies: cycles and organisations protect them.
    LearningProgramme.objects.filter(slug__startswith=SLUG_MARK).delete()
    Workshop.objects.filter(slug__startswith=SLUG_MARK).delete()
    TrainingNetwork.objects.filter(slug__startswith=SLUG_MARK).delete()
    Company.objects.filter(register_number__startswith=MARK).delete()
    flush_scale_surveys()


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
        self._step("learning programmes", self.learning)
        self._step("survey responses", lambda: seed_scale_surveys(self))
        self._step("challenge calls", lambda: seed_scale_challenges(self))
        self._step(
            "good practices, action plans and partner feeds", lambda: seed_scale_policy(self)
        )

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

    def learning(self) -> int:
        """Programmes × organisations × 3 cycles, each cycle with its workshop, a task and every
        organisation's submitted report (an item per section; obstacles continue the last
        cycle's). Its own random stream, so the steps before keep their data."""
        rng = random.Random(self.rng.random())
        count, per = self.counts.programmes, self.counts.programme_organisations
        if not count or not self.company_ids:
            return 0
        programmes = LearningProgramme.objects.bulk_create(
            [
                LearningProgramme(
                    title=f"Lernprogramm {rng.choice(NAME_PARTS)} {i + 1}",
                    slug=f"{SLUG_MARK}lernprogramm-{i + 1}",
                    goal="Synthetic learning programme for load tests.",
                    status=rng.choice(["running", "running", "closed", "planned"]),
                    start=BASE_DATE + timedelta(days=rng.randint(-200, 400)),
                    interval_weeks=8,
                    created_by=self.coordinator,
                )
                for i in range(count)
            ]
        )
        workshops = []
        for programme in programmes:
            for number in (1, 2, 3):
                day = programme.start + timedelta(weeks=8 * (number - 1))
                starts = datetime.combine(day, datetime.min.time(), tzinfo=BERLIN) + timedelta(
                    hours=9
                )
                past = day < HELD_BEFORE
                workshops.append(
                    Workshop(
                        title=f"{programme.title} – Lernworkshop {number}",
                        slug=f"{programme.slug}-{number}",
                        description="Synthetic learning workshop.",
                        venue="Rathaus Hannover",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=7),
                        capacity=60,
                        registration_deadline=starts - timedelta(days=2),
                        status="done" if past else "published",
                        listed=False,
                        published_at=starts - timedelta(days=60),
                        created_by=self.coordinator,
                    )
                )
        workshops = Workshop.objects.bulk_create(workshops, batch_size=BATCH)
        cycles = Cycle.objects.bulk_create(
            Cycle(programme=p, number=n, theme=f"Thema {n}", workshop=workshops[i * 3 + n - 1])
            for i, p in enumerate(programmes)
            for n in (1, 2, 3)
        )
        actor_types = ["firm"] * 6 + ["public_sector", "education", "support"]
        organisations = ProgrammeOrganisation.objects.bulk_create(
            [
                ProgrammeOrganisation(
                    programme=programme,
                    company_id=company_id,
                    actor_type=rng.choice(actor_types),
                    added_by=self.coordinator,
                )
                for programme in programmes
                for company_id in rng.sample(self.company_ids, min(per, len(self.company_ids)))
            ],
            batch_size=BATCH,
        )
        people = ProgrammePerson.objects.bulk_create(
            [
                ProgrammePerson(
                    organisation=o,
                    email=f"lernen{o.pk}-{j}@scale.example",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                )
                for o in organisations
                for j in (1, 2)
            ],
            batch_size=BATCH,
        )
        first_person = {p.organisation_id: p for p in reversed(people)}
        by_programme: dict[int, list] = {}
        for organisation in organisations:
            by_programme.setdefault(organisation.programme_id, []).append(organisation)
        tags = FindingTag.objects.bulk_create(
            FindingTag(programme=p, name=name)
            for p in programmes
            for name in ("Ausbildung", "Fachkräfte", "Förderung", "Kooperation")
        )
        tags_of = {}
        for tag in tags:
            tags_of.setdefault(tag.programme_id, []).append(tag)
        tasks = Task.objects.bulk_create(
            Task(cycle=c, title=f"Aufgabe {c.number}", due_date=c.workshop.starts_at.date())
            for c in cycles
        )
        TaskSubmission.objects.bulk_create(
            [
                TaskSubmission(
                    task=task,
                    organisation=o,
                    text="Synthetic answer.",
                    status="submitted",
                    submitted_at=task.cycle.workshop.starts_at - timedelta(days=3),
                )
                for task in tasks
                for o in by_programme[task.cycle.programme_id]
            ],
            batch_size=BATCH,
        )
        registrations = [
            Registration(
                workshop=c.workshop,
                first_name=first_person[o.pk].first_name,
                last_name=first_person[o.pk].last_name,
                email=first_person[o.pk].email,
                company_id=o.company_id,
                status="attended" if rng.random() < 0.85 else "no_show",
                confirmed_at=c.workshop.starts_at - timedelta(days=20),
            )
            for c in cycles
            if c.workshop.status == "done"
            for o in by_programme[c.programme_id]
        ]
        Registration.objects.bulk_create(registrations, batch_size=BATCH)
        taken: dict[int, int] = {}
        for registration in registrations:
            taken[registration.workshop_id] = taken.get(registration.workshop_id, 0) + 1
        for workshop in workshops:
            workshop.seats_taken = taken.get(workshop.pk, 0)
        Workshop.objects.bulk_update(workshops, ["seats_taken"], batch_size=BATCH)
        reports = CycleReport.objects.bulk_create(
            [
                CycleReport(
                    cycle=c,
                    organisation=o,
                    status="submitted",
                    submitted_at=c.workshop.starts_at - timedelta(days=2),
                )
                for c in cycles
                for o in by_programme[c.programme_id]
            ],
            batch_size=BATCH,
        )
        items = 0
        earlier: dict[int, ReportItem] = {}  # organisation → its last cycle's obstacle
        through = ReportItem.tags.through
        for number in (1, 2, 3):
            rows = []
            for report in reports:
                if report.cycle.number != number:
                    continue
                for position, section in enumerate(
                    ("activity", "challenge", "obstacle", "opportunity")
                ):
                    follows = earlier.get(report.organisation_id) if section == "obstacle" else None
                    rows.append(
                        ReportItem(
                            report=report,
                            section=section,
                            text=f"{section} {rng.choice(NAME_PARTS)} {report.pk}",
                            position=position,
                            follows=follows if follows and rng.random() < 0.6 else None,
                            resolved=section == "obstacle" and rng.random() < 0.2,
                        )
                    )
            rows = ReportItem.objects.bulk_create(rows, batch_size=BATCH)
            items += len(rows)
            links = []
            for item in rows:
                if item.section == "obstacle":
                    earlier[item.report.organisation_id] = item
                if item.section in ("obstacle", "opportunity"):
                    tag = rng.choice(tags_of[item.report.cycle.programme_id])
                    links.append(through(reportitem_id=item.pk, findingtag_id=tag.pk))
            through.objects.bulk_create(links, batch_size=BATCH)
        return len(programmes)


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


# --- Surveys: workshop feedback and a training-needs round ------------------------------------

SURVEY_MARK = "Scale "


def flush_scale_surveys() -> None:
    from surveys.models import Answer, Response, Survey

    surveys = Survey.objects.filter(title__startswith=SURVEY_MARK)
    # Answers first in one statement (no cascade to collect), then the rest.
    Answer.objects.filter(response__survey__in=surveys).delete()
    Response.objects.filter(survey__in=surveys).delete()
    surveys.delete()


def _scale_survey(title: str, purpose: str, anonymity: str, questions: list[dict]):
    from surveys.models import Question, Survey, SurveyVersion

    survey = Survey.objects.create(
        title=f"{SURVEY_MARK}{title}", purpose=purpose, anonymity=anonymity, status="closed"
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    made = {}
    for position, spec in enumerate(questions, 1):
        made[spec["code"]] = Question.objects.create(version=version, position=position, **spec)
    return survey, version, made


def seed_scale_surveys(seeder) -> int:
    """``feedback_responses`` anonymous feedback responses on the done scale workshops (from
    their attendees' companies) and ``needs_answers`` companies' training-needs answers."""
    from surveys.models import Answer, Response

    rng, counts = seeder.rng, seeder.counts
    places = {
        pk: (size, sector, municipality)
        for pk, size, sector, municipality in Company.objects.filter(
            register_number__startswith=MARK
        ).values_list("pk", "size_class_stored", "sector", "municipality")
    }
    attended = list(
        Registration.objects.filter(workshop__slug__startswith=SLUG_MARK, status="attended")
        .order_by("pk")
        .values_list("workshop_id", "workshop__network_id", "company_id", "workshop__ends_at")
    )
    total = 0
    if counts.feedback_responses and attended:
        survey, version, q = _scale_survey(
            "Workshop-Feedback",
            "feedback",
            "anonymous",
            [
                {"code": "satisfaction", "type": "scale", "scale_max": 5, "text": "Zufriedenheit",
                 "low_label": "gar nicht", "high_label": "sehr"},
                {"code": "recommend", "type": "single", "text": "Weiterempfehlen?",
                 "options": [{"value": "yes", "label": "Ja"}, {"value": "no", "label": "Nein"}]},
                {"code": "ratings", "type": "matrix", "scale_max": 5, "text": "Bewertung",
                 "rows": [{"value": "content", "label": "Inhalt"},
                          {"value": "trainer", "label": "Trainer*in"},
                          {"value": "organisation", "label": "Organisation"}]},
                {"code": "improve", "type": "long_text", "text": "Was verbessern?"},
            ],
        )  # fmt: skip
        responses, answers = [], []
        for i in range(counts.feedback_responses):
            workshop_id, network_id, company_id, ends_at = attended[i % len(attended)]
            size, sector, municipality = places.get(company_id, ("", "", ""))
            response = Response(
                survey=survey, version=version, answered_on=(ends_at + timedelta(days=2)).date(),
                workshop_id=workshop_id, network_id=network_id, size_class=size, sector=sector,
                municipality=municipality,
            )  # fmt: skip
            responses.append(response)
            points = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 8, 6])[0]
            answers.append(Answer(response=response, question=q["satisfaction"], number=points))
            answers.append(
                Answer(response=response, question=q["recommend"],
                       option="yes" if points >= 4 or rng.random() < 0.2 else "no")
            )  # fmt: skip
            for row in ("content", "trainer", "organisation"):
                answers.append(
                    Answer(response=response, question=q["ratings"], row=row,
                           number=max(1, min(5, points + rng.randint(-1, 1))))
                )  # fmt: skip
            if rng.random() < 0.3:
                answers.append(
                    Answer(response=response, question=q["improve"],
                           text=rng.choice(["Mehr Praxis", "Mehr Zeit", "Bessere Unterlagen",
                                            "Kleinere Gruppen"]))
                )  # fmt: skip
        Response.objects.bulk_create(responses, batch_size=BATCH)
        Answer.objects.bulk_create(answers, batch_size=BATCH * 2)
        total += len(responses)
    companies = list(places)
    if counts.needs_answers and companies:
        survey, version, q = _scale_survey(
            "Weiterbildungsbedarf",
            "training_needs",
            "identified",
            [
                {"code": "topics", "type": "topic", "text": "Themen"},
                {"code": "months", "type": "multiple", "text": "Monate",
                 "options": [{"value": str(m), "label": str(m)} for m in range(1, 13)]},
                {"code": "formats", "type": "multiple", "text": "Formate",
                 "options": [{"value": v, "label": v}
                             for v in ("on_site", "online", "hybrid", "in_house")]},
                {"code": "staff", "type": "number", "text": "Mitarbeitende",
                 "min_value": 0, "max_value": 10000},
            ],
        )  # fmt: skip
        slugs = list(Topic.objects.filter(pk__in=seeder.topic_ids).values_list("slug", flat=True))
        chosen = rng.sample(companies, min(counts.needs_answers, len(companies)))
        responses, answers = [], []
        for company_id in chosen:
            size, sector, municipality = places[company_id]
            response = Response(
                survey=survey, version=version, company_id=company_id, size_class=size,
                sector=sector, municipality=municipality,
                answered_on=BASE_DATE + timedelta(days=rng.randint(0, 120)),
            )  # fmt: skip
            responses.append(response)
            for slug in rng.sample(slugs, min(len(slugs), rng.randint(1, 3))):
                answers.append(Answer(response=response, question=q["topics"], option=slug))
            for month in rng.sample(range(1, 13), rng.randint(1, 2)):
                answers.append(Answer(response=response, question=q["months"], option=str(month)))
            answers.append(
                Answer(response=response, question=q["formats"],
                       option=rng.choice(["on_site", "online", "hybrid", "in_house"]))
            )  # fmt: skip
            answers.append(
                Answer(response=response, question=q["staff"], number=rng.randint(1, 40))
            )
        Response.objects.bulk_create(responses, batch_size=BATCH)
        Answer.objects.bulk_create(answers, batch_size=BATCH * 2)
        total += len(responses)
    return total
