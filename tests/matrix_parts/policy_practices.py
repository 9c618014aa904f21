"""The good-practice library (/practices/): validated practices, their pages and PDFs are
public; drafts only for coordinators (404 for everybody else, as if they did not exist);
recording, editing, validating, archiving and transfers are the coordinators'."""

from tests.matrix_rows import coordinator_page, coordinator_write, public, row

ROWS = [
    public("/practices/"),
    coordinator_page("/practices/new/"),
    coordinator_write("/practices/new/", "practice"),
    coordinator_page("/practices/transfers/"),
    public("/practices/{GP}/"),
    public("/practices/{GP}/practice.pdf"),
    row("GET", "/practices/{GP_draft}/", 404, 404, 404, 200, 404),
    row("GET", "/practices/{GP_draft}/practice.pdf", 404, 404, 404, 200, 404),
    row("GET", "/practices/gibt-es-nicht/", 404, 404, 404, 404, 404),
    coordinator_page("/practices/{GP}/edit/"),
    coordinator_write("/practices/{GP}/edit/", "practice_edit"),
    coordinator_page("/practices/gibt-es-nicht/edit/", ok=404),
    # The draft's author is another coordinator: the world's coordinator may validate it.
    coordinator_write("/practices/{GP_draft}/validate/", None),
    coordinator_write("/practices/{GP}/archive/", None),
    coordinator_page("/practices/{GP}/transfers/new/"),
    coordinator_write("/practices/{GP}/transfers/new/", "transfer"),
    coordinator_page("/practices/{GP}/transfers/{GPT}/"),
    coordinator_write("/practices/{GP}/transfers/{GPT}/", "transfer"),
    # A transfer of another practice is not found under this one.
    coordinator_page("/practices/{GP_draft}/transfers/{GPT}/", ok=404),
]


def _practice(w, **overrides):
    data = {
        "title": "Matrix-Praxis",
        "slug": "",
        "summary": "Kurzfassung",
        "region": "Lazio",
        "country": "IT",
        "organisation": "Lazio Innova",
        "figures-TOTAL_FORMS": "0",
        "figures-INITIAL_FORMS": "0",
        "figures-MIN_NUM_FORMS": "0",
        "figures-MAX_NUM_FORMS": "12",
    }
    data.update(overrides)
    return data


PAYLOADS = {
    "practice": lambda w: _practice(w),
    "practice_edit": lambda w: _practice(w, title="Matrix-Praxis geändert", slug="matrix-gp"),
    "transfer": lambda w: {
        "from_region": "Lazio",
        "to_region": "Nordhessen",
        "partner": "Regionalmanagement Nordhessen",
        "status": "adopted",
        "started_on": "2025-01-01",
        "status_changed_on": "2025-06-01",
        "notes": "",
    },
}

EXTRA_SCANS = {
    "anonymous": [
        {"path": "/practices/?country=IT&q=innovation", "label": "filtered"},
        {"path": "/practices/?q=gibt-es-nicht", "label": "filtered, no results"},
        {"path": "/practices/gibt-es-nicht/", "status": 404},
    ],
}


def world(base) -> dict:
    from policy.models import GoodPractice, PracticeFigure, Transfer
    from tests import matrix_world
    from tests.policy.practices_support import make_coordinator

    matrix_world._WATCHED_APPS.add("policy")

    author = make_coordinator("matrix-autorin@regiolab.example", "Mara", "Autorin")
    practice = GoodPractice.objects.create(
        title="Matrix Open Innovation",
        slug="matrix-gp",
        summary="Unternehmen stellen Aufgaben.",
        region="Lazio",
        country="IT",
        organisation="Lazio Innova",
        theme="Open Innovation",
        status=GoodPractice.Status.VALIDATED,
        author=author,
        validated_by=base.coordinator,
    )
    PracticeFigure.objects.create(practice=practice, kind="workshops_held")
    draft = GoodPractice.objects.create(
        title="Matrix-Entwurf",
        slug="matrix-entwurf",
        summary="Noch nicht validiert.",
        region="Nordhessen",
        country="DE",
        organisation="Regionalmanagement Nordhessen",
        author=author,
    )
    transfer = Transfer.objects.create(
        practice=practice,
        from_region="Lazio",
        to_region="Nordhessen",
        partner="Regionalmanagement Nordhessen",
        status=Transfer.Status.ADAPTING,
    )
    return {"GP": practice.slug, "GP_draft": draft.slug, "GPT": transfer.pk}
