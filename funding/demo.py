"""Demo data for funding: example programmes and one example grant. Idempotent."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from networks.models import TrainingNetwork
from regiolab.models import Topic

from . import services
from .models import BudgetLine, Expenditure, Funder, FundingProgramme, Grant, Indicator

TOPICS = {
    "digitalisation": ("Digitalisierung", "Digitalisation"),
    "personnel-development": ("Personalentwicklung", "Personnel development"),
    "digital-learning": ("Digitales Lernen", "Digital learning"),
    "robotics": ("Robotik", "Robotics"),
}

# Modelled on real programmes, but labelled as examples: rates, amounts and deadlines are
# illustrative and must be checked with the funding body.
PROGRAMMES = [
    {
        "name": "Aufbau von Weiterbildungsverbünden",
        "funding_body": "Bundesministerium für Arbeit und Soziales (ESF Plus)",
        "level": "federal",
        "size_classes": ["micro", "small", "medium"],
        "sectors": [],
        "topics": ["personnel-development", "digital-learning"],
        # The federal part; the region or the state co-finances the other 30 % (the demo grant).
        "funding_rate": Decimal("70"),
        "max_amount": None,
        "deadline": None,
        "url": "https://www.bmas.de/",
        "description_de": "Koordinierungsstellen, die KMU in regionalen Weiterbildungsverbünden "
        "zusammenbringen, Bedarfe erheben und Qualifizierung organisieren. Der Bund fördert "
        "70 % der zuwendungsfähigen Ausgaben aus dem ESF Plus; die übrigen 30 % trägt die "
        "Region oder das Land.",
        "description_en": "Coordination offices that bring SMEs together in regional "
        "continuing-education networks, survey needs and organise training. The federal "
        "government funds 70 % of the eligible costs from ESF Plus; the region or the state "
        "bears the other 30 %.",
    },
    {
        "name": "Förderung beruflicher Weiterbildung Beschäftigter (§ 82 SGB III)",
        "funding_body": "Bundesagentur für Arbeit",
        "level": "federal",
        "size_classes": [],
        "sectors": [],
        "topics": ["personnel-development", "digitalisation"],
        "funding_rate": Decimal("100"),
        "max_amount": None,
        "deadline": None,
        "url": "https://www.arbeitsagentur.de/",
        "description_de": "Zuschüsse zu Lehrgangskosten und Arbeitsentgelt für Beschäftigte, "
        "deren Tätigkeiten sich durch den Strukturwandel verändern; höher für kleine Betriebe.",
        "description_en": "Grants towards course fees and wages for employees whose work "
        "changes with structural change; higher rates for small firms.",
    },
    {
        "name": "Weiterbildung in Niedersachsen (WiN)",
        "funding_body": "NBank – Investitions- und Förderbank Niedersachsen",
        "level": "state",
        "size_classes": ["micro", "small", "medium"],
        "sectors": [],
        "topics": ["personnel-development", "digital-learning"],
        "funding_rate": Decimal("50"),
        "max_amount": Decimal("50000"),
        "deadline": date(2027, 6, 30),
        "url": "https://www.nbank.de/",
        "description_de": "Zuschuss zu Qualifizierungsmaßnahmen für Beschäftigte kleiner und "
        "mittlerer Unternehmen in Niedersachsen.",
        "description_en": "Grants towards training measures for employees of small and "
        "medium-sized companies in Lower Saxony.",
    },
    {
        "name": "Digitalbonus.Niedersachsen",
        "funding_body": "NBank – Investitions- und Förderbank Niedersachsen",
        "level": "state",
        "size_classes": ["micro", "small", "medium"],
        "sectors": ["C", "F", "G", "J", "M"],
        "topics": ["digitalisation", "robotics"],
        "funding_rate": Decimal("40"),
        "max_amount": Decimal("10000"),
        "deadline": date(2026, 12, 31),
        "url": "https://www.nbank.de/",
        "description_de": "Zuschüsse für Hard- und Software sowie IT-Sicherheit in KMU.",
        "description_en": "Grants for hardware, software and IT security in SMEs.",
    },
    {
        "name": "Erasmus+ Berufsbildung – Kooperationspartnerschaften",
        "funding_body": "Europäische Kommission / NA beim BIBB",
        "level": "eu",
        "size_classes": [],
        "sectors": [],
        "topics": ["digital-learning"],
        "funding_rate": None,
        "max_amount": Decimal("400000"),
        "deadline": date(2027, 3, 5),
        "url": "https://www.na-bibb.de/",
        "description_de": "Europäische Partnerschaften zur Entwicklung innovativer "
        "Lernangebote in der beruflichen Bildung.",
        "description_en": "European partnerships developing innovative learning offers in "
        "vocational education and training.",
    },
    {
        "name": "Regionale Qualifizierungsförderung",
        "funding_body": "Region Hannover, Wirtschaftsförderung",
        "level": "region",
        "size_classes": ["micro", "small"],
        "sectors": [],
        "topics": ["digitalisation", "personnel-development"],
        "funding_rate": Decimal("50"),
        "max_amount": Decimal("5000"),
        "deadline": None,
        "url": "https://www.wirtschaftsfoerderung-hannover.de/",
        "description_de": "Zuschuss für Kleinst- und Kleinunternehmen der Region Hannover zu "
        "externen Schulungen.",
        "description_en": "Grants for micro and small companies of the Hannover region "
        "towards external training.",
    },
]

DEMO_REFERENCE = "BEISPIEL-01PV26001"
# The bodies the programme names: the federal labour ministry (ESF Plus) and the region.
FEDERAL_FUNDER = "Bundesministerium für Arbeit und Soziales – ESF Plus"
REGIONAL_FUNDER = "Region Hannover"
TOTAL_ELIGIBLE_COSTS = Decimal("986000.00")  # 690,200.00 federal + 295,800.00 regional
# Per year; overhead is the 15 % flat rate on personnel. Adds up to TOTAL_ELIGIBLE_COSTS.
BUDGET = {
    year: {
        "personnel": Decimal(240000),
        "material": Decimal(12000),
        "travel": Decimal(4000),
        "third_party": Decimal(third_party),
        "overhead": Decimal(36000),
    }
    for year, third_party in ((2026, 30000), (2027, 40000), (2028, 40000))
}


def _topics() -> dict[str, Topic]:
    return {
        slug: Topic.objects.get_or_create(slug=slug, defaults={"name_de": de, "name_en": en})[0]
        for slug, (de, en) in TOPICS.items()
    }


def _funder(level: str, name: str) -> Funder:
    found = Funder.objects.filter(level=level, name__startswith=name).order_by("pk").first()
    return found or Funder.objects.create(name=f"{name} (Beispiel)", level=level)


@transaction.atomic
def seed_funding_demo(stdout=None) -> Grant:
    topics = _topics()
    for data in PROGRAMMES:
        data = dict(data)
        slugs = data.pop("topics")
        programme, _created = FundingProgramme.objects.update_or_create(
            name=data["name"],
            funding_body=data["funding_body"],
            defaults={**data, "is_example": True},
        )
        programme.topics.set([topics[s] for s in slugs])

    # Reuse the demo's funding bodies when seed_demo created them; otherwise bring our own.
    federal = _funder("federal", FEDERAL_FUNDER)
    region = _funder("region", REGIONAL_FUNDER)
    # Its figures are the demo's own: a re-run repairs what earlier demos got wrong.
    grant, created = Grant.objects.update_or_create(
        reference=DEMO_REFERENCE,
        defaults={
            "programme": FundingProgramme.objects.get(name="Aufbau von Weiterbildungsverbünden"),
            "title": "Koordinierungsstelle Weiterbildungsverbünde Region Hannover (Beispiel)",
            "start_date": date(2026, 1, 1),
            "end_date": date(2028, 12, 31),
            "total_eligible_costs": TOTAL_ELIGIBLE_COSTS,
            "is_example": True,
        },
    )
    if created:
        grant.networks.set(TrainingNetwork.objects.order_by("pk")[:3])
    if not grant.shares.exists():
        services.set_cofinancing_shares(
            grant=grant,
            shares=[
                services.ShareInput(federal, Decimal(70)),
                services.ShareInput(region, Decimal(30)),
            ],
        )
    for year, lines in BUDGET.items():
        for category, amount in lines.items():
            BudgetLine.objects.update_or_create(
                grant=grant, category=category, year=year, defaults={"amount": amount}
            )
    receipts = [
        (date(2026, 1, 31), "personnel", "Koordinierungsstelle", "Personalkosten Januar", "19850.40"),
        (date(2026, 2, 28), "personnel", "Koordinierungsstelle", "Personalkosten Februar", "19850.40"),
        (date(2026, 3, 12), "material", "Bürobedarf Nord GmbH", "Moderationsmaterial", "412.37"),
        (date(2026, 3, 20), "travel", "Deutsche Bahn", "Fahrt zum Verbundtreffen Berlin", "129.80"),
        (date(2026, 4, 15), "third_party", "Lernwerk Hannover e. V.", "Trainerhonorar Robotik-Workshop", "2380.00"),
        # The 15 % flat rate on the personnel receipts above (2 × 19,850.40).
        (date(2026, 5, 31), "overhead", "Koordinierungsstelle", "Verwaltungspauschale 15 % Personal Januar/Februar", "5955.12"),
    ]  # fmt: skip
    for i, (day, category, payee, purpose, amount) in enumerate(receipts, start=1):
        Expenditure.objects.update_or_create(
            grant=grant,
            receipt_reference=f"B-2026-{i:03d}",
            defaults={
                "date": day,
                "category": category,
                "payee": payee,
                "purpose": purpose,
                "amount": Decimal(amount),
            },
        )
    for code, target in (
        ("companies_reached", 120),
        ("companies_advised", 60),
        ("smes_in_networks", 80),
        ("workshops_held", 36),
        ("participants", 400),
        ("participant_hours", 2400),
    ):
        Indicator.objects.get_or_create(grant=grant, code=code, defaults={"target": target})
    if stdout is not None:
        stdout.write(
            f"Funding: {len(PROGRAMMES)} example programmes, example grant {grant.reference}"
        )
    return grant
