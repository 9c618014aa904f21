"""The good practices of ``seed_demo``: Lazio's Open Innovation Challenge (adopted by
Nordhessen), the MoWiN innovation lab (taken up in Attica and Lubelskie), a third validated
practice and a draft waiting for a second coordinator."""

from datetime import date

from django.contrib.auth import get_user_model

from policy.models import GoodPractice, PracticeFigure, Transfer
from regiolab.models import Topic

COORDINATOR_EMAIL = "coordinator@regiolab.example"

PRACTICES = [
    {
        "slug": "open-innovation-challenge-lazio",
        "title": "Open Innovation Challenge",
        "title_en": "Open Innovation Challenge",
        "summary": (
            "Unternehmen der Region formulieren technische Aufgaben; Start-ups und "
            "Forschungseinrichtungen schlagen Lösungen vor, die besten erproben sie gemeinsam."
        ),
        "summary_en": (
            "Companies of the region pose technical challenges; start-ups and research "
            "institutes propose solutions, and the best are piloted together."
        ),
        "description": (
            "Lazio Innova sammelt zweimal im Jahr Aufgaben bei Unternehmen, veröffentlicht sie "
            "und lädt Lösungsanbieter zu einem Pitch-Tag ein. Eine Jury bewertet die Vorschläge; "
            "Unternehmen und Anbieter vereinbaren Vertraulichkeit, Pilot oder Auftrag."
        ),
        "description_en": (
            "Twice a year Lazio Innova collects challenges from companies, publishes them and "
            "invites solution providers to a pitch day. A jury rates the proposals; companies "
            "and providers agree on confidentiality, a pilot or a contract."
        ),
        "region": "Lazio",
        "country": "IT",
        "organisation": "Lazio Innova",
        "theme": "Open Innovation",
        "period_start": date(2018, 3, 1),
        "resources": "Zwei Personen in der Wirtschaftsförderung, Budget für den Pitch-Tag.",
        "resources_en": "Two staff at the development agency, a budget for the pitch day.",
        "evidence": "Seit 2018 über 120 Aufgaben, 35 Pilotprojekte und 14 Aufträge.",
        "evidence_en": "Since 2018 over 120 challenges, 35 pilots and 14 contracts.",
        "contact_name": "Giulia Rossi",
        "contact_email": "giulia.rossi@lazioinnova.example",
        "topics": ["digitalisation", "ai"],
        "figures": [("challenges_matched", {})],
    },
    {
        "slug": "innovationslabor-mowin",
        "title": "Innovationslabor MoWiN",
        "title_en": "MoWiN innovation lab",
        "summary": (
            "Ein offenes Labor, in dem kleine und mittlere Unternehmen mit Hochschulen neue "
            "Produkte und Verfahren entwickeln und ausprobieren."
        ),
        "summary_en": (
            "An open lab where small and medium-sized firms develop and try out new products "
            "and processes with universities."
        ),
        "description": (
            "Das Netzwerk MoWiN.net betreibt in Kassel ein Innovationslabor mit Werkstatt, "
            "3D-Druck und Workshops. Unternehmen buchen Laborzeiten und Beratung; Studierende "
            "arbeiten an ihren Aufgaben mit."
        ),
        "description_en": (
            "The MoWiN.net network runs an innovation lab in Kassel with a workshop, 3D printing "
            "and workshops. Companies book lab time and advice; students work on their tasks."
        ),
        "region": "Nordhessen",
        "country": "DE",
        "organisation": "MoWiN.net e.V.",
        "theme": "Innovation lab",
        "period_start": date(2016, 1, 1),
        "resources": "Laborfläche, eine Laborleitung, Kooperationsvertrag mit der Universität.",
        "resources_en": "Lab space, a lab manager, a cooperation agreement with the university.",
        "evidence": "Jährlich rund 60 Unternehmen im Labor; Workshops siehe Kennzahlen.",
        "evidence_en": "About 60 companies in the lab each year; workshops in the figures.",
        "contact_name": "Jonas Becker",
        "contact_email": "jonas.becker@mowin.example",
        "topics": ["3d-printing", "digitalisation"],
        "figures": [
            ("workshops_held", {"topic": "digitalisation"}),
            ("participants", {"topic": "digitalisation"}),
            ("companies_reached", {}),
            ("grant_spent", {"grant": True}),
        ],
    },
    {
        "slug": "skills-escalator-nottingham",
        "title": "Skills Escalator",
        "title_en": "Skills Escalator",
        "summary": (
            "Beschäftigte mit geringer Qualifikation werden von Beraterinnen begleitet, bis sie "
            "eine besser bezahlte Stelle erreichen."
        ),
        "summary_en": ("Low-skilled employees are coached until they reach a better-paid job."),
        "region": "Nottingham",
        "country": "GB",
        "organisation": "Nottingham City Council",
        "theme": "Skills",
        "period_start": date(2017, 9, 1),
        "evidence": "Zwei Drittel der Teilnehmenden verbesserten ihr Einkommen binnen zwei Jahren.",
        "evidence_en": "Two thirds of participants raised their income within two years.",
        "topics": ["skilled-workers", "personnel-development"],
        "figures": [],
    },
]

DRAFT = {
    "slug": "digitalisierungslotsen-lubelskie",
    "title": "Digitalisierungslotsen",
    "summary": "Lotsen besuchen Handwerksbetriebe und planen mit ihnen den ersten Digitalschritt.",
    "region": "Lubelskie",
    "country": "PL",
    "organisation": "Lubelskie Development Agency",
    "theme": "Digitalisation",
    "topics": ["digitalisation"],
    "figures": [],
}

TRANSFERS = [
    (
        "open-innovation-challenge-lazio",
        "Lazio",
        "Nordhessen",
        "Regionalmanagement Nordhessen GmbH",
        Transfer.Status.ADOPTED,
        date(2023, 4, 1),
        date(2024, 9, 1),
    ),
    (
        "innovationslabor-mowin",
        "Nordhessen",
        "Attica",
        "Region of Attica",
        Transfer.Status.ADAPTING,
        date(2024, 1, 15),
        date(2024, 6, 1),
    ),
    (
        "innovationslabor-mowin",
        "Nordhessen",
        "Lubelskie",
        "Lubelskie Development Agency",
        Transfer.Status.INTERESTED,
        date(2025, 2, 1),
        date(2025, 2, 1),
    ),
]


def _figures(practice, specs) -> None:
    from funding.models import Grant

    PracticeFigure.objects.filter(practice=practice).delete()
    for position, (kind, scope) in enumerate(specs):
        values = {}
        if "topic" in scope:
            values["topic"] = Topic.objects.filter(slug=scope["topic"]).first()
        if scope.get("grant"):
            values["grant"] = Grant.objects.order_by("pk").first()
            if values["grant"] is None:
                continue
        PracticeFigure.objects.create(practice=practice, kind=kind, position=position, **values)


def _save(spec, **fields) -> GoodPractice:
    spec = dict(spec)
    topics, figures = spec.pop("topics"), spec.pop("figures")
    practice, _created = GoodPractice.objects.update_or_create(
        slug=spec.pop("slug"), defaults={**spec, **fields}
    )
    practice.topics.set(Topic.objects.filter(slug__in=topics))
    _figures(practice, figures)
    return practice


def seed_practices_demo(stdout) -> None:
    from django.utils import timezone

    coordinator = get_user_model().objects.filter(email=COORDINATOR_EMAIL).first()
    for spec in PRACTICES:
        # Written by a partner region (no author in the portal), validated by the coordinator.
        _save(
            spec,
            status=GoodPractice.Status.VALIDATED,
            author=None,
            validated_by=coordinator,
            validated_at=timezone.now(),
        )
    _save(DRAFT, status=GoodPractice.Status.DRAFT, author=coordinator, validated_by=None)
    for slug, source, target, partner, status, started, changed in TRANSFERS:
        Transfer.objects.update_or_create(
            practice=GoodPractice.objects.get(slug=slug),
            to_region=target,
            defaults={
                "from_region": source,
                "partner": partner,
                "status": status,
                "started_on": started,
                "status_changed_on": changed,
            },
        )
    stdout.write(
        f"Good practices: {len(PRACTICES)} validated, 1 draft, {len(TRANSFERS)} transfers."
    )
