"""What the learning journeys (tests/e2e/test_learning_flow.py, tests/journeys/test_learning.py)
share: a running programme the invited person joins, the reports and findings set up by the
services (the browser adds nothing there), and the final report's text as pdftotext reads it."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from learning import services
from learning.board import services as board
from learning.homework import services as homework
from learning.models import LearningProgramme, ProgrammeOrganisation, ReportItem
from tests.factories import CompanyFactory, UserFactory

INVITED = "jana.becker@drehteile-example.de"
PASSWORD = "Kugellager-Feinguss-2031"

# The participant's report: one item in each of the four sections.
OWN_REPORT = {
    "activity": "Zwei Auszubildende im Verbund eingestellt",
    "challenge": "Ausbilderstunden reichen kaum",
    "obstacle": "Berufsschule weit entfernt",
    "opportunity": "Gemeinsame Lehrwerkstatt mit der BBS",
}

# The other organisations: name, company kind, actor type.
OTHERS = [
    ("Stadt Garbsen", "public_body", "public_sector"),
    ("BBS Metalltechnik Hannover", "education_provider", "education"),
    ("Agentur für Arbeit Hannover", "public_body", "public_sector"),
]


@dataclass
class Group:
    """A running programme: the invited person's firm (no account yet) and three other
    organisations whose people have accounts; the others' cycle-1 reports are submitted."""

    programme: LearningProgramme
    own: ProgrammeOrganisation
    others: list[ProgrammeOrganisation] = field(default_factory=list)
    other_users: list = field(default_factory=list)
    other_reports: dict = field(default_factory=dict)  # organisation name -> obstacle text


def start_date():
    return timezone.localdate() + timedelta(days=21)


def running_group(coordinator) -> Group:
    programme = services.create_programme(
        title="Kompetenzsicherung Metall Region Hannover",
        start=start_date(),
        created_by=coordinator,
        themes=["Fachkräfte finden", "Ausbildung stärken", "Weiterbildung verankern"],
        goal="Gemeinsam Fachkräfte für die Metallindustrie sichern.",
    )
    own = services.add_organisation(
        programme=programme,
        company=CompanyFactory(name="Drehteile Becker GmbH", kind="sme"),
        actor_type="firm",
        people=[services.PersonInput(INVITED, "Jana", "Becker")],
        added_by=coordinator,
    )
    group = Group(programme=programme, own=own)
    cycle = programme.cycles.get(number=1)
    for index, (name, kind, actor_type) in enumerate(OTHERS):
        user = UserFactory(email=f"person{index}@org{index}.example", first_name=f"P{index}")
        organisation = services.add_organisation(
            programme=programme,
            company=CompanyFactory(name=name, kind=kind),
            actor_type=actor_type,
            people=[services.PersonInput(user.email, user.first_name, "Muster")],
            added_by=coordinator,
        )
        organisation.people.update(user=user)
        obstacle = f"Hindernis bei {name}"
        homework.save_report(
            cycle=cycle,
            organisation=organisation,
            user=user,
            items=[
                homework.ItemInput("activity", f"Aktivität bei {name}"),
                homework.ItemInput("obstacle", obstacle),
            ],
            submit=True,
        )
        group.others.append(organisation)
        group.other_users.append(user)
        group.other_reports[name] = obstacle
    services.start_programme(programme=programme, by=coordinator)
    return group


def findings_of_two_cycles(programme, people: dict) -> list[str]:
    """Every organisation (``people``: organisation → user of it) submits a report for cycle 1
    with an obstacle and an opportunity, and for cycle 2 one that continues the obstacle (and
    marks the opportunity's successor resolved); the coordinator tags cycle 2's obstacles.
    Returns the texts of every finding (obstacles and opportunities)."""
    cycle_1, cycle_2 = (programme.cycles.get(number=n) for n in (1, 2))
    texts = []
    for organisation, user in people.items():
        name = organisation.company.name
        first = homework.save_report(
            cycle=cycle_1,
            organisation=organisation,
            user=user,
            items=[
                homework.ItemInput("activity", f"Praktikumstag bei {name}"),
                homework.ItemInput("obstacle", f"Kaum Bewerbungen bei {name}"),
                homework.ItemInput("opportunity", f"Kooperation Schule und {name}"),
            ],
            submit=True,
        )
        obstacle = first.items.get(section="obstacle")
        opportunity = first.items.get(section="opportunity")
        homework.save_report(
            cycle=cycle_2,
            organisation=organisation,
            user=user,
            items=[
                homework.ItemInput(
                    "obstacle", f"Weiter wenig Bewerbungen bei {name}", follows_id=obstacle.pk
                ),
                homework.ItemInput(
                    "opportunity",
                    f"Kooperation läuft bei {name}",
                    follows_id=opportunity.pk,
                    resolved=True,
                ),
            ],
            submit=True,
        )
        texts += [
            f"Kaum Bewerbungen bei {name}",
            f"Kooperation Schule und {name}",
            f"Weiter wenig Bewerbungen bei {name}",
            f"Kooperation läuft bei {name}",
        ]
    for item in ReportItem.objects.filter(
        report__cycle=cycle_2, section="obstacle", report__organisation__in=list(people)
    ):
        # update_finding sets the link too: keep the one the organisation made.
        board.update_finding(
            item=item, tags=[], new_tags=["Fachkräftemangel"], follows=item.follows
        )
    return texts


def pdftotext(content: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it, whitespace collapsed. Not ``-layout``:
    that interleaves the lines of neighbouring table cells; reading order keeps a cell's
    lines together."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
    return " ".join(text.split())


def squeezed(text: str) -> str:
    """Without spaces, hyphens and soft hyphens: names wrap and hyphenate in narrow cells."""
    return "".join(c for c in text if c not in " \n-\u00ad\u2010")


def missing_from(pdf_text: str, expected) -> list[str]:
    haystack = squeezed(pdf_text)
    return [text for text in expected if squeezed(text) not in haystack]
