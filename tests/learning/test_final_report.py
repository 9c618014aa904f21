"""The final report as its readers see it: the PDF's pages (nothing off the paper or over other
text, also with 30 organisations of long names), its text (every organisation and every
finding), and the XLSX twin opened by LibreOffice."""

import email

import pytest
from django.utils import translation

from learning.models import FinalReport, ProgrammeOrganisation
from learning.results import reports, services
from regiolab.mail.models import OutboundEmail
from tests.learning.results_support import (
    COMPOUND,
    _private_files_in_tmp,  # noqa: F401
    build_programme,
)
from tests.support.libreoffice import read_xlsx, records
from tests.support.pdf_geometry import assert_fits_pages, pdfinfo

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    from tests.support.pdf_geometry import _with_file

    # Whole document, lines joined: names may wrap inside their table cells.
    return " ".join(_with_file(pdf, ["pdftotext"]).split())


def _squeezed(text: str) -> str:
    # A name wrapped in a narrow cell may be hyphenated; compare without spaces and hyphens.
    return "".join(c for c in text if c not in " -\u00ad\u2010")


def _build(world, language="de") -> FinalReport:
    report = FinalReport.objects.create(programme=world.programme, language=language)
    built = services.build_final_report(report_id=report.pk)
    assert built.status == FinalReport.Status.READY, built.error
    return built


def test_the_build_makes_a_tagged_pdf_and_xlsx_and_tells_the_requester(coordinator):
    world = build_programme(coordinator=coordinator, organisations=4)
    report = services.request_final_report(programme=world.programme, requested_by=coordinator)
    assert report.status == FinalReport.Status.QUEUED
    built = services.build_final_report(report_id=report.pk)
    assert built.status == FinalReport.Status.READY and built.progress == 100
    pdf = built.pdf_file.read()
    info = pdfinfo(pdf)
    assert info["Tagged"] == "yes"
    assert "Abschlussbericht" in info["Title"] and world.programme.title in info["Title"]
    assert built.xlsx_file.read()[:2] == b"PK"
    # Built once: a second run (a redelivered message) changes nothing and sends nothing.
    assert services.build_final_report(report_id=report.pk) is None
    rows = OutboundEmail.objects.filter(to=coordinator.email)
    assert rows.count() == 1
    parsed = email.message_from_string(rows.get().body_text)
    assert "/results/" in parsed.get_payload()
    assert rows.get().subject.startswith("Abschlussbericht fertig")


def test_the_pdf_holds_every_organisation_and_finding_and_no_draft(coordinator):
    world = build_programme(coordinator=coordinator, organisations=6)
    pdf = _build(world).pdf_file.read()
    text = _squeezed(_text(pdf))
    for org in world.organisations:
        assert _squeezed(org.company.name) in text, org.company.name
    for finding in world.findings:
        assert _squeezed(finding) in text, finding
    assert "ENTWURF-GEHEIM" not in text  # a draft report is not part of the group's findings
    for section in world.sections:
        assert _squeezed(section.title) in text
    assert _squeezed("Berufsorientierung früher beginnen") in text


def test_an_english_report_uses_the_english_texts(coordinator):
    world = build_programme(coordinator=coordinator, organisations=2)
    text = _squeezed(_text(_build(world, "en").pdf_file.read()))
    assert _squeezed("Guide to joint apprenticeships") in text
    # No English text written: the German one stands in.
    assert _squeezed("Berufsorientierung früher beginnen") in text
    assert _squeezed("Policy recommendations") in text


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_pdf_fits_its_pages_with_30_organisations_and_long_names(coordinator, language):
    world = build_programme(coordinator=coordinator, organisations=30, long_names=True)
    pdf = _build(world, language).pdf_file.read()
    assert_fits_pages(pdf, name=f"learning-final-report-30-{language}")
    text = _squeezed(_text(pdf))
    for org in world.organisations:
        assert _squeezed(org.company.name) in text
    assert COMPOUND in text


def test_the_pdf_fits_with_twelve_cycles(coordinator):
    world = build_programme(coordinator=coordinator, organisations=5, cycles=12, long_names=True)
    assert_fits_pages(_build(world).pdf_file.read(), name="learning-final-report-12-cycles")


def test_the_xlsx_twin_as_libreoffice_reads_it(coordinator):
    world = build_programme(coordinator=coordinator, organisations=4)
    world.organisations[0].company.name = '=HYPERLINK("http://evil")'
    world.organisations[0].company.save()
    sheets = read_xlsx(_build(world).xlsx_file.read())
    assert {"Programm", "Zyklen", "Teilnehmende", "Anwesenheit", "Eingereichte Aufgaben",
            "Befunde", "Ergebnisse"} <= set(sheets)  # fmt: skip

    participants = records(sheets["Teilnehmende"])
    names = [r["Organisation"].shown for r in participants]
    assert '=HYPERLINK("http://evil")' in names  # shown as text, never run as a formula
    assert all(not r["Organisation"].formula for r in participants)
    with translation.override("de"):  # the actor types' German names, as the report shows them
        actor_types = {str(label) for label in ProgrammeOrganisation.ActorType.labels}
    assert {r["Akteurstyp"].shown for r in participants} == actor_types

    attendance = {r["Organisation"].shown: r for r in records(sheets["Anwesenheit"])}
    first = attendance["Organisation 02 Metall"]
    assert first["Zyklus 1"].type == "float" and first["Zyklus 1"].value == "1"
    assert first["Zyklus 2"].value == "0"  # every other organisation missed cycle 2
    assert attendance["Organisation 03 Metall"]["Zyklus 2"].value == "2"
    assert attendance["Organisation 03 Metall"]["Besuchte Zyklen"].value == "2"

    tasks = {r["Organisation"].shown: r for r in records(sheets["Eingereichte Aufgaben"])}
    assert tasks["Organisation 03 Metall"]["Zyklus 1"].value == "2"
    assert tasks["Organisation 02 Metall"]["Zyklus 1"].value == "1"

    findings = records(sheets["Befunde"])
    texts = {r["Befund"].shown for r in findings}
    assert set(world.findings) <= texts and "ENTWURF-GEHEIM" not in texts
    resolved = next(r for r in findings if r["Befund"].shown == "Gelöst: Azubis da")
    assert resolved["Status"].shown == "gelöst"

    results = records(sheets["Ergebnisse"])
    assert [r["Titel"].shown for r in results] == [
        "Leitfaden Verbundausbildung", "Berufsorientierung früher beginnen"
    ]  # fmt: skip


def test_a_failed_build_is_recorded_and_can_be_built_again(coordinator, monkeypatch):
    world = build_programme(coordinator=coordinator, organisations=2)
    report = services.request_final_report(programme=world.programme, requested_by=coordinator)

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint ran out of fonts")

    monkeypatch.setattr(reports, "build_pdf", broken)
    failed = services.build_final_report(report_id=report.pk)
    assert failed.status == FinalReport.Status.FAILED
    assert "ran out of fonts" in failed.error and not failed.pdf_file
    assert OutboundEmail.objects.filter(subject__contains="fehlgeschlagen").count() == 1
    monkeypatch.undo()
    services.retry_final_report(report=failed)
    failed.refresh_from_db()
    assert failed.status == FinalReport.Status.QUEUED and failed.error == ""
    assert services.build_final_report(report_id=report.pk).status == FinalReport.Status.READY


def test_the_progress_is_recorded_while_it_builds(coordinator, monkeypatch):
    world = build_programme(coordinator=coordinator, organisations=2)
    report = FinalReport.objects.create(programme=world.programme)
    seen = []
    original = reports.build_pdf

    def watching(context):
        seen.append(FinalReport.objects.get(pk=report.pk).progress)
        return original(context)

    monkeypatch.setattr(reports, "build_pdf", watching)
    services.build_final_report(report_id=report.pk)
    assert seen == [45]


EVOLUTION = {
    "cycles": [1, 2],
    "by_actor_type": {
        "firm": {1: {"new": 3, "persisting": 0, "resolved": 0},
                 2: {"new": 1, "persisting": 2, "resolved": 1}},
        "public_sector": {1: {"new": 1, "persisting": 0, "resolved": 0}},
    },
    "by_size_class": {"small": {1: {"new": 4, "persisting": 0, "resolved": 0}}},
}  # fmt: skip


def test_whatever_the_findings_evolution_holds_reaches_pdf_and_xlsx(coordinator, monkeypatch):
    world = build_programme(coordinator=coordinator, organisations=2)
    monkeypatch.setattr(reports, "findings_evolution", lambda programme: EVOLUTION)
    built = _build(world)
    text = _text(built.pdf_file.read())
    assert "Nach Akteurstyp" in text and "Nach Größenklasse" in text
    assert "fortbestehend" in text and "gelöst" in text
    sheets = read_xlsx(built.xlsx_file.read())
    by_actor = next(rows for name, rows in sheets.items() if "Akteurstyp" in name)
    table = records(by_actor)
    with translation.override("de"):
        firm = str(ProgrammeOrganisation.ActorType.FIRM.label)
    second = next(r for r in table if r["Gruppe"].shown == firm and r["Zyklus"].shown == "2")
    assert (second["neu"].value, second["fortbestehend"].value, second["gelöst"].value) == (
        "1",
        "2",
        "1",
    )
    assert second["neu"].type == "float"


def test_an_unexpected_evolution_shape_still_renders(coordinator, monkeypatch):
    """A breakdown of an unexpected shape still renders; keys that are not figures (the
    selector's layout for the page: tables, charts) stay out of the report."""
    world = build_programme(coordinator=coordinator, organisations=2)
    odd = {"cycles": [1], "by_actor_type": {"firm": [3, 1]}, "charts": {"Diagrammpunkt": 2}}
    monkeypatch.setattr(reports, "findings_evolution", lambda programme: odd)
    text = _text(_build(world).pdf_file.read())
    assert "3/1" in _squeezed(text) and "Diagrammpunkt" not in text


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("de", "Abschlussbericht: Kompetenzsicherung Metall Region Hannover"),
        ("en", "Final report: Kompetenzsicherung Metall Region Hannover"),
    ],
)
def test_the_pdf_is_tagged_in_the_report_language(coordinator, language, title):
    from tests.regiolab.test_pdf_tagging import assert_tagged

    world = build_programme(coordinator=coordinator, organisations=3)
    tags = assert_tagged(_build(world, language).pdf_file.read(), language=language, title=title)
    # Tables with header cells (also the organisations' row headers), headings per part.
    assert {"/Table", "/TH", "/H2", "/H3"} <= set(tags["roles"])
