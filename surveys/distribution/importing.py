"""Panel recipients from a CSV file: e-mail, name, organisation, region (and optionally the
language). As the company import (companies/importing.py): the upload is checked by its bytes
(regiolab.uploads), every row is validated first, and either all rows are written in one
transaction or none, with every problem reported by line (header = line 1)."""

import csv
import io
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from regiolab import uploads
from regiolab.validators import single_line

from ..models import Survey, SurveyInvitation
from . import services

# Column key → accepted header names (lower-case).
HEADERS = {
    "email": ("email", "e-mail", "e-mail-adresse", "mail"),
    "name": ("name",),
    "organisation": ("organisation", "organization", "organisation/verbund"),
    "region": ("region",),
    "language": ("language", "sprache"),
}
MAX_LENGTHS = {"email": 254, "name": 200, "organisation": 200, "region": 100}
LANGUAGES = {"de": "de", "deutsch": "de", "german": "de", "en": "en", "englisch": "en",
             "english": "en", "": "de"}  # fmt: skip
MAX_SHOWN_ERRORS = 200


@dataclass(frozen=True)
class RowProblem:
    message: str
    line: int | None = None  # None: the whole file


class PanelImportRejected(Exception):
    """Nothing was saved; ``problems`` says why."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = sorted(problems, key=lambda p: p.line or 0)

    @property
    def shown(self) -> list[RowProblem]:
        return self.problems[:MAX_SHOWN_ERRORS]


def _reject(message) -> PanelImportRejected:
    return PanelImportRejected([RowProblem(str(message))])


class PanelImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file with recipients"),
        help_text=_(
            "Columns: email, name, organisation, region (optional: language de/en); separated "
            "by ; or , with the column names in the first row; at most %(size)s and %(rows)s rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "size": filesizeformat(settings.IMPORT_MAX_BYTES),
            "rows": settings.IMPORT_MAX_ROWS,
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if uploads.validate_table_upload(upload) != "csv":
            raise forms.ValidationError(_("Please upload a CSV file (.csv)."), code="extension")
        return upload


def _header_keys(header: list[str]) -> list[str]:
    names = {alias: key for key, aliases in HEADERS.items() for alias in aliases}
    return [names.get(cell.strip().lower(), "") for cell in header]


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: text}) for every non-blank row; raises PanelImportRejected for a file
    that cannot be read at all."""
    try:
        text = uploads.decode_text(data)
    except ValidationError as exc:
        raise _reject(exc.messages[0]) from exc
    if not text.strip():
        raise _reject(uploads.EMPTY)
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max(";,\t", key=first.count)
    reader = uploads.checked_csv_rows(
        csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    )
    try:
        header = next(reader, [])
        keys = _header_keys(header)
        if "email" not in keys:
            raise _reject(_("The first row must name the columns; an 'email' column is missing."))
        rows = []
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= settings.IMPORT_MAX_ROWS:
                raise _reject(
                    _("The file has more than %(max)s rows; please split it.")
                    % {"max": settings.IMPORT_MAX_ROWS}
                )
            values = dict.fromkeys(HEADERS, "")
            for key, cell in zip(keys, cells, strict=False):
                if key:
                    values[key] = cell.strip()
            rows.append((line, values))
    except ValidationError as exc:  # a field too long for any import
        raise _reject(exc.messages[0]) from exc
    except csv.Error as exc:
        raise _reject(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc
    if not rows:
        raise _reject(_("The file has only the header row and no recipients."))
    return rows


def validate_rows(
    survey: Survey, rows: list[tuple[int, dict[str, str]]]
) -> tuple[list[services.NewInvitation], list[RowProblem]]:
    problems: list[RowProblem] = []
    valid: list[services.NewInvitation] = []
    first_line: dict[str, int] = {}
    for line, values in rows:
        email = values["email"].lower()
        row_problems = []
        if not email:
            row_problems.append(_("The e-mail address is missing."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                row_problems.append(
                    _("'%(value)s' is not a valid e-mail address.") % {"value": email[:80]}
                )
        for key, limit in MAX_LENGTHS.items():
            if len(values[key]) > limit:
                row_problems.append(
                    _("%(column)s is longer than %(max)d characters.")
                    % {"column": key, "max": limit}
                )
            try:
                single_line(values[key])
            except ValidationError:
                row_problems.append(
                    _("%(column)s contains line breaks or control characters.") % {"column": key}
                )
        language = LANGUAGES.get(values["language"].lower())
        if language is None:
            row_problems.append(
                _("Unknown language '%(value)s' (de or en).") % {"value": values["language"][:20]}
            )
        if email and email in first_line:
            row_problems.append(
                _("The address %(email)s is already in line %(line)d.")
                % {"email": email[:80], "line": first_line[email]}
            )
        if row_problems:
            problems += [RowProblem(str(m), line) for m in row_problems]
            continue
        first_line[email] = line
        valid.append(
            services.NewInvitation(
                email=email,
                name=values["name"],
                organisation=values["organisation"],
                region=values["region"],
                language=language,
            )
        )
    existing = set(
        SurveyInvitation.objects.filter(survey=survey, email__in=list(first_line)).values_list(
            "email", flat=True
        )
    )
    for email in sorted(existing, key=first_line.get):
        problems.append(
            RowProblem(
                str(_("%(email)s has already been invited to this survey.") % {"email": email}),
                first_line[email],
            )
        )
    return valid, problems


def check_panel(survey: Survey) -> None:
    if survey.purpose != Survey.Purpose.PANEL or survey.is_template:
        raise ValidationError(_("Recipients can be imported into a panel survey only."))
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("This survey is closed."), code="closed")


def import_panel(*, survey: Survey, data: bytes) -> int:
    """All rows or none; returns how many invitations were written (sent after commit when the
    survey is open, else when it opens)."""
    check_panel(survey)
    rows = read_rows(data)
    valid, problems = validate_rows(survey, rows)
    if problems:
        raise PanelImportRejected(problems)
    return services.write_invitations(survey=survey, recipients=valid)
