"""The audit log: who changed what (django-auditlog), read back per object, scrubbed on request.

Each business app registers its models in its own ``audit.py`` (imported from its
``AppConfig.ready()``) through :func:`register`, so this core module never imports a business
app. A model's entries are written by auditlog's signal receivers: one INSERT per create,
update or delete that changed a tracked field (an update also reads the old row once).
``bulk_create`` and ``QuerySet.update`` send no signals and leave no entry — the bulk seeders
and counters such as ``Workshop.seats_taken`` rely on that.

Stored values are strings (auditlog's default): foreign keys as the related primary key, which
:func:`history_rows` turns into the related object's name with one query per related model on
the page, so the history page's query count does not grow with its entries.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import pre_log
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

VALUE_MAX_CHARS = 300
EMPTY = "–"


@dataclass(frozen=True)
class AuditSpec:
    model: type[models.Model]
    # Foreign keys to the objects whose history also lists this model's entries
    # (an expenditure appears in its grant's history).
    parents: tuple[str, ...] = ()
    # Relations str(obj) reads, loaded with the object for the page heading.
    repr_related: tuple[str, ...] = ()


AUDITED: dict[type[models.Model], AuditSpec] = {}


def register(
    model: type[models.Model],
    *,
    exclude: tuple[str, ...] = (),
    mask: tuple[str, ...] = (),
    m2m: tuple[str, ...] = (),
    labels: dict | None = None,
    parents: tuple[str, ...] = (),
    repr_related: tuple[str, ...] | None = None,
) -> None:
    """Audit ``model``: ``exclude`` untracked fields, ``mask`` secrets (half starred), log the
    ``m2m`` relations' adds and removals, ``labels`` name fields without a verbose name."""
    opts = model._meta
    # Reverse relations are not columns of this row; auditlog would log their managers' repr.
    reverse = [f.name for f in opts.get_fields() if f.auto_created and not f.concrete]
    # Set by Django on save (creation or change time): the entry's own timestamp says as much.
    automatic = [
        f.name
        for f in opts.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    auditlog.register(
        model,
        exclude_fields=[*automatic, *reverse, *exclude],
        mask_fields=list(mask),
        m2m_fields=set(m2m),
        mapping_fields=dict(labels or {}),
    )
    AUDITED[model] = AuditSpec(
        model=model,
        parents=tuple(parents),
        repr_related=tuple(parents if repr_related is None else repr_related),
    )


@receiver(pre_log, dispatch_uid="regiolab.audit.normalise_decimals")
def _normalise_decimals(sender, instance, **kwargs) -> None:
    """Give decimals the scale the database stores before auditlog compares them as text.

    A form's Decimal("300") and the stored Decimal("300.0") are equal, but auditlog compares the
    strings and would log every decimal field of each edit as changed; quantizing (what the
    database does on write anyway) keeps the log to real changes.
    """
    if type(instance) not in AUDITED:
        return
    for model_field in instance._meta.concrete_fields:
        if isinstance(model_field, models.DecimalField):
            value = getattr(instance, model_field.attname)
            if value is None:
                continue
            with contextlib.suppress(ValidationError, InvalidOperation):
                value = model_field.to_python(value)
                if value.is_finite():
                    exponent = Decimal(1).scaleb(-model_field.decimal_places)
                    setattr(instance, model_field.attname, value.quantize(exponent))


def audited_model(app_label: str, model_name: str) -> type[models.Model] | None:
    """The audited model for a URL's ``app_label``/``model_name``, or None (not audited)."""
    for model in AUDITED:
        if model._meta.app_label == app_label and model._meta.model_name == model_name:
            return model
    return None


def child_specs(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """(child model, foreign key name) of every audited model listed in ``model``'s history."""
    children = []
    for child, spec in AUDITED.items():
        for name in spec.parents:
            if child._meta.get_field(name).related_model is model:
                children.append((child, name))
    return children


# --- Writing what bulk_update did -----------------------------------------------------------


def log_bulk_changes(pairs, *, fields) -> int:
    """Audit entries for rows saved with ``QuerySet.bulk_update``, which sends no signals:
    ``pairs`` of (copy before the change, instance after it), e.g. attendance marked for a whole
    list. One INSERT for all entries (plus one query per relation the objects' names read); the
    actor is the request's, as for single saves. Returns the number of entries written."""
    from auditlog.cid import get_cid
    from auditlog.context import auditlog_value
    from auditlog.diff import model_instance_diff

    pairs = [(old, new) for old, new in pairs]
    if not pairs:
        return 0
    model = type(pairs[0][1])
    if model not in AUDITED:
        return 0
    models.prefetch_related_objects([new for _old, new in pairs], *AUDITED[model].repr_related)
    actor = auditlog_value.get({}).get("actor")
    if actor is not None and not (isinstance(actor, get_user_model()) and actor.is_authenticated):
        actor = None
    content_type = ContentType.objects.get_for_model(model)
    entries = []
    for old, new in pairs:
        changes = model_instance_diff(old, new, fields_to_check=list(fields))
        if not changes:
            continue
        entries.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(new.pk),
                object_id=new.pk,
                object_repr=str(new),
                action=LogEntry.Action.UPDATE,
                changes=changes,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                cid=get_cid(),
            )
        )
    LogEntry.objects.bulk_create(entries)
    return len(entries)


# --- Reading ---------------------------------------------------------------------------------


def entries_for(
    model: type[models.Model],
    pk: int,
    *,
    children: list[tuple[type[models.Model], str]] = (),
    include_self: bool = True,
) -> QuerySet[LogEntry]:
    """Entries of one object, newest first, with those of its ``children`` (from
    :func:`child_specs`): the children that exist now, found through their foreign key's index,
    and the deleted ones, found through the foreign key's value in their deletion entry."""
    # One query for all content types when the cache is cold, none when warm.
    types = ContentType.objects.get_for_models(model, *(child for child, _fk in children))
    condition = Q(pk__in=[])
    if include_self:
        condition = Q(content_type=types[model], object_id=pk)
    for child, fk_name in children:
        child_type = types[child]
        fk = child._meta.get_field(fk_name)
        living = child._default_manager.filter(**{fk.attname: pk}).values("pk")
        deleted = LogEntry.objects.filter(
            content_type=child_type,
            action=LogEntry.Action.DELETE,
            **{f"changes__{fk_name}__0": str(pk)},
        ).values("object_id")
        condition |= Q(content_type=child_type) & (
            Q(object_id__in=living) | Q(object_id__in=deleted)
        )
    return (
        LogEntry.objects.filter(condition)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


ACTION_KINDS = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
    LogEntry.Action.ACCESS: "access",
}
ACTION_LABELS = {
    LogEntry.Action.CREATE: gettext_lazy("created"),
    LogEntry.Action.UPDATE: gettext_lazy("changed"),
    LogEntry.Action.DELETE: gettext_lazy("deleted"),
    LogEntry.Action.ACCESS: gettext_lazy("viewed"),
}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryRow:
    entry: LogEntry
    kind: str  # "create" | "update" | "delete" | "access"
    action: str
    actor: str
    object_type: str
    changes: list[Change] = field(default_factory=list)


def person_label(user) -> str:
    return user.get_full_name() or user.email or user.get_username()


def history_rows(entries: list[LogEntry]) -> list[HistoryRow]:
    """Readable rows for a page of entries: field labels, choice labels, local dates and the
    names of related objects (one query per related model, whatever the number of entries)."""
    related = _RelatedNames()
    parsed = []
    for entry in entries:
        model = entry.content_type.model_class()
        fields = []
        for name, change in (entry.changes or {}).items():
            model_field = _model_field(model, name)
            if model_field is not None and model_field.primary_key:
                continue
            if model_field is not None and model_field.many_to_one and _is_pair(change):
                for value in change:
                    related.want(model_field.related_model, value)
            fields.append((name, model_field, change))
        parsed.append((entry, model, fields))
    related.load()

    rows = []
    for entry, model, fields in parsed:
        row = HistoryRow(
            entry=entry,
            kind=ACTION_KINDS.get(entry.action, "update"),
            action=str(ACTION_LABELS.get(entry.action, entry.action)),
            actor=_actor_label(entry),
            object_type=capfirst(model._meta.verbose_name) if model else entry.content_type.model,
        )
        for name, model_field, change in sorted(fields, key=lambda item: _order(model, item[0])):
            item = _change(entry, model, name, model_field, change, related)
            if item is not None:
                row.changes.append(item)
        rows.append(row)
    return rows


def _actor_label(entry: LogEntry) -> str:
    if entry.actor is not None:
        return person_label(entry.actor)
    if entry.actor_email:
        return entry.actor_email
    return _("nobody signed in (visitor or automatic task)")


def _model_field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _order(model, name: str) -> int:
    names = [f.name for f in model._meta.get_fields()] if model else []
    return names.index(name) if name in names else len(names)


def _is_pair(change) -> bool:
    return isinstance(change, list | tuple) and len(change) == 2


def _label(model, name: str, model_field) -> str:
    if model is not None and auditlog.contains(model):
        mapped = auditlog.get_model_fields(model)["mapping_fields"].get(name)
        if mapped:
            return capfirst(str(mapped))
    if model_field is not None and getattr(model_field, "verbose_name", None):
        return capfirst(str(model_field.verbose_name))
    return capfirst(name.replace("_", " "))


def _change(entry, model, name, model_field, change, related) -> Change | None:
    label = _label(model, name, model_field)
    if isinstance(change, dict) and change.get("type") == "m2m":
        names = ", ".join(str(o) for o in change.get("objects", [])) or EMPTY
        if change.get("operation") == "add":
            return Change(label, EMPTY, _("added: %(names)s") % {"names": names})
        return Change(label, _("removed: %(names)s") % {"names": names}, EMPTY)
    if not _is_pair(change):
        return Change(label, EMPTY, _display(str(change), None, related))
    old, new = (_display(value, model_field, related) for value in change)
    if entry.action == LogEntry.Action.CREATE and new == EMPTY:
        return None  # a field left empty on creation is no news
    if entry.action == LogEntry.Action.DELETE and old == EMPTY:
        return None
    return Change(label, old, new)


def _display(value, model_field, related) -> str:
    if value is None or value in ("None", ""):
        return EMPTY
    value = str(value)
    if model_field is None:
        return Truncator(value).chars(VALUE_MAX_CHARS)
    if model_field.many_to_one:
        return related.name(model_field.related_model, value)
    choices = getattr(model_field, "flatchoices", None)
    if choices:
        return str({str(k): v for k, v in choices}.get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value == "True" else _("no") if value == "False" else value
    try:
        if isinstance(model_field, models.DateTimeField):
            # auditlog stores date-times naive in UTC.
            moment = datetime.fromisoformat(value)
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=UTC)
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
        if isinstance(model_field, models.DateField):
            return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        if isinstance(model_field, models.DecimalField):
            return formats.number_format(
                Decimal(value), model_field.decimal_places, use_l10n=True, force_grouping=True
            )
    except (ValueError, InvalidOperation):
        pass
    return Truncator(value).chars(VALUE_MAX_CHARS)


class _RelatedNames:
    """Names of the objects foreign keys point at, loaded in one query per model."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.names: dict[tuple[type[models.Model], str], str] = {}

    def want(self, model, value) -> None:
        if value in (None, "None", ""):
            return
        try:
            self.wanted[model].add(model._meta.pk.to_python(value))
        except Exception:  # noqa: BLE001 — a value stored under an older key type: shown as is
            return

    def load(self) -> None:
        user_model = get_user_model()
        for model, pks in self.wanted.items():
            for pk, obj in model._default_manager.in_bulk(list(pks)).items():
                name = person_label(obj) if isinstance(obj, user_model) else str(obj)
                self.names[(model, str(pk))] = name

    def name(self, model, value: str) -> str:
        found = self.names.get((model, str(value)))
        if found is not None:
            return found
        return _("%(type)s #%(pk)s (deleted)") % {
            "type": capfirst(model._meta.verbose_name),
            "pk": value,
        }


# --- Anonymisation ---------------------------------------------------------------------------

SCRUB_BATCH = 500


def scrub_audit_entries(
    *, values: list[str], replacement: str, entries: QuerySet[LogEntry] | None = None
) -> int:
    """Replace every occurrence of each of ``values`` (case-insensitive) in the audit log's
    texts — object name, changes, additional and serialized data, actor e-mail — by
    ``replacement``; returns the number of entries rewritten. ``entries`` narrows the search
    (e.g. to the entries about some objects); by default every entry is searched.

    Candidate rows are found in SQL (icontains on each text and on the JSON as text), then
    rewritten in Python and saved with ``bulk_update`` (no signals: re-saving an entry must not
    give it a new actor).
    """
    needles = sorted({v.strip() for v in values if v and v.strip()}, key=len, reverse=True)
    if not needles:
        return 0
    # Lookaheads find overlapping occurrences too ("Anna Alpha" and "Alpha-Müller" in
    # "Anna Alpha-Müller"), so no part of any value survives.
    patterns = [re.compile(f"(?=({re.escape(v)}))", re.IGNORECASE) for v in needles]

    condition = Q()
    for needle in needles:
        condition |= (
            Q(object_repr__icontains=needle)
            | Q(changes_text__icontains=needle)
            | Q(actor_email__icontains=needle)
        )
        # JSON compared as text: PostgreSQL prints non-ASCII as is, SQLite keeps \u escapes.
        for variant in {_json_text(needle, ascii_only=False), _json_text(needle, ascii_only=True)}:
            condition |= (
                Q(changes__icontains=variant)
                | Q(additional_data__icontains=variant)
                | Q(serialized_data__icontains=variant)
            )

    def scrub(value):
        if isinstance(value, str):
            return _replace_spans(value, patterns, replacement)
        if isinstance(value, list):
            return [scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        return value

    fields = [
        "object_repr",
        "changes_text",
        "actor_email",
        "changes",
        "additional_data",
        "serialized_data",
    ]
    rewritten = 0
    batch = []
    with transaction.atomic():
        scope = LogEntry.objects.all() if entries is None else entries
        candidates = scope.filter(condition).only("pk", *fields).order_by("pk")
        for entry in candidates.iterator(chunk_size=SCRUB_BATCH):
            changed = False
            for name in fields:
                before = getattr(entry, name)
                after = scrub(before)
                if after != before:
                    setattr(entry, name, after)
                    changed = True
            if changed:
                batch.append(entry)
                rewritten += 1
            if len(batch) >= SCRUB_BATCH:
                LogEntry.objects.bulk_update(batch, fields)
                batch = []
        if batch:
            LogEntry.objects.bulk_update(batch, fields)
    return rewritten


def _replace_spans(text: str, patterns: list[re.Pattern], replacement: str) -> str:
    spans = sorted(
        (match.start(), match.start() + len(match.group(1)))
        for pattern in patterns
        for match in pattern.finditer(text)
    )
    if not spans:
        return text
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, position = [], 0
    for start, end in merged:
        parts += [text[position:start], replacement]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _json_text(value: str, *, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)[1:-1]
