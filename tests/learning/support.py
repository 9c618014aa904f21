"""A small learning programme for the homework tests, and files as people upload them."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from learning.models import ProgrammeOrganisation, ProgrammePerson
from learning.services import create_programme
from tests.factories import CompanyFactory, UserFactory


@dataclass
class Programme:
    programme: object
    cycles: list
    organisations: list = field(default_factory=list)
    users: list = field(default_factory=list)  # users[i] is a person of organisations[i]


def add_organisation(programme, name: str, *, actor_type="firm", people=1) -> tuple:
    company = CompanyFactory(name=name)
    organisation = ProgrammeOrganisation.objects.create(
        programme=programme, company=company, actor_type=actor_type
    )
    users = []
    for n in range(people):
        user = UserFactory(email=f"p{n}.{company.pk}@org.example")
        ProgrammePerson.objects.create(
            organisation=organisation,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            user=user,
        )
        users.append(user)
    return organisation, users


def build_programme(coordinator, *, title="Kompetenz Metall", organisations=2, days=30):
    """A programme whose first learning workshop is ``days`` ahead (3 cycles, 8 weeks apart),
    with ``organisations`` firms, one person with an account each."""
    programme = create_programme(
        title=title,
        start=timezone.localdate() + timedelta(days=days),
        created_by=coordinator,
        themes=["Fachkräfte", "Ausbildung", "Transfer"],
    )
    world = Programme(programme=programme, cycles=list(programme.cycles.order_by("number")))
    names = ["Alpha Metall GmbH", "Beta Stahl AG", "Gamma Guss KG", "Delta Draht GmbH"]
    for i in range(organisations):
        name = names[i] if i < len(names) else f"Firma {i:03d} GmbH"
        organisation, users = add_organisation(programme, name)
        world.organisations.append(organisation)
        world.users.append(users[0])
    return world


@pytest.fixture
def lp(coordinator):
    return build_programme(coordinator)


# --- files --------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes(size=(4, 4)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Bedarf"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docx_bytes(*, main_type: str = DOCX_MAIN, extra: dict | None = None) -> bytes:
    """A minimal Word document as Word writes its parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Bedarfsanalyse</w:t></w:r></w:p></w:body></w:document>",
        )
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- programmes as the programme pages' tests build them (learning/programmes/) ------------------


def make_programme(coordinator, *, title="Kompetenz Metall", days_ahead=30, **kwargs):
    start = timezone.localdate() + timedelta(days=days_ahead)
    return create_programme(title=title, start=start, created_by=coordinator, **kwargs)


def add_org(programme, *, company=None, actor_type="firm", people=(), users=()):
    """An organisation with people (addresses) and linked users, written directly."""
    organisation = ProgrammeOrganisation.objects.create(
        programme=programme, company=company or CompanyFactory(), actor_type=actor_type
    )
    for email in people:
        ProgrammePerson.objects.create(organisation=organisation, email=email)
    for user in users:
        ProgrammePerson.objects.create(
            organisation=organisation,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            user=user,
        )
    return organisation
