"""Uploaded tables (CSV, XLSX) and receipts (PDF, PNG, JPEG): kept in memory, checked by size
and by content.

The imports (companies, expenditures) parse an upload in memory and never store it: no upload
is written to disk, neither as a temporary file (see ``MemoryOnlyUploadHandler``, the only upload
handler in settings) nor under MEDIA. The extension only says what a file claims to be; the bytes
decide: an .xlsx must be an OOXML workbook that openpyxl opens, a .csv must decode as text without
NUL or other control characters.
"""

import csv
import io
import re
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

KINDS = ("csv", "xlsx")
# A workbook is a zip: what its parts unpack to is checked before openpyxl parses any of it
# (a 245 KB file whose shared strings unpack to 99 MB held a worker for 107 s and 900 MB).
# 5,000 rows of companies unpack to a few megabytes; these limits are far above that.
MAX_XLSX_UNCOMPRESSED = 25 * 1024 * 1024  # all parts together
# Parsing costs per element, not per byte: 800,000 tiny shared strings (13 MB unpacked, a 2 MB
# file) held openpyxl 11 s. Cells and shared strings together, 50 per row (25 columns of text).
ELEMENTS_PER_ROW = 50
# A cell (<c …>) of a sheet or a string (<si>) of the shared strings, with or without a prefix.
ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|si)[\s/>]")
COUNTED_PARTS = ("xl/worksheets/", "xl/sharedStrings")
MAX_XLSX_MEMBERS = 1000
# Deflate packs XML about 5-20 times; far beyond that is a file built to explode.
MAX_XLSX_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024  # small parts (styles, a short sheet) may pack tighter
UNPACK_CHUNK = 64 * 1024
# A CSV field (or a cell) longer than any column of an import holds: refused with a message.
MAX_FIELD_CHARS = 10_000
XLSX_REQUIRED_MEMBERS = frozenset({"[Content_Types].xml", "xl/workbook.xml"})

BINARY_SIGNATURES = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"MZ",
    b"\x7fELF",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",  # old .xls / .doc
    b"Rar!",
    b"\x1f\x8b",
)
# Tab, line feed and carriage return are the only control characters a CSV may hold.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

NOT_TEXT = _(
    "This is not a CSV text file. Please save the table as CSV (UTF-8) or as an Excel "
    "workbook (.xlsx)."
)
UNDECODABLE = _(
    "The file could not be read as text. Please save it as CSV in UTF-8 (or Windows Latin-1) "
    "or as an Excel workbook (.xlsx)."
)
NOT_XLSX = _("This is not an Excel workbook (.xlsx). Please save it as .xlsx or as CSV.")
XLSX_TOO_LARGE = _(
    "The workbook unpacks to more than %(max)s, far more than a table for import needs. "
    "Nothing was imported. Please save only the table as a new workbook or as CSV."
)
XLSX_TOO_MANY_CELLS = _(
    "The workbook holds more cells than %(rows)s rows of a table need. Nothing was imported. "
    "Please save only the table as a new workbook or as CSV."
)
FIELD_TOO_LONG = _(
    "Row %(line)s holds a value longer than %(max)s characters. Nothing was imported. "
    "Please check the file's separator and quotation marks."
)
EMPTY = _("The file is empty.")


def accepts_uploads_up_to(limit):
    """Mark a view whose uploads may be larger than IMPORT_MAX_BYTES: up to ``limit()`` bytes.

    The upload handler reads the mark from the resolved view (Django resolves the URL before
    CsrfViewMiddleware parses the body); ``functools.wraps`` carries it through the decorators.
    """

    def mark(view):
        view.upload_limit = limit
        return view

    return mark


def upload_limit(request) -> int:
    """The bytes an upload to this request's view may hold (IMPORT_MAX_BYTES unless marked)."""
    view = getattr(getattr(request, "resolver_match", None), "func", None)
    limit = getattr(view, "upload_limit", None)
    return limit() if limit else settings.IMPORT_MAX_BYTES


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keeps an upload in memory and stops storing it past the view's limit (``upload_limit``).

    The resulting file reports its real size so the form refuses it with a clear message, and
    nothing ever goes to a temporary file on disk (Django's default for large uploads).
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.size = 0
        self.limit = upload_limit(self.request)

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size <= self.limit:
            self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer if self.size <= self.limit else io.BytesIO(),
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-16 with BOM, UTF-8 (BOM optional) or Windows cp1252.

    Raises ``ValidationError`` for binary files and text with control characters (NUL …).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValidationError(UNDECODABLE, code="encoding") from None
    elif data.startswith(BINARY_SIGNATURES) or b"\x00" in data:
        raise ValidationError(NOT_TEXT, code="binary")
    else:
        # Excel's "CSV" on German Windows writes cp1252; latin-1 decodes anything, and the
        # control-character check below then refuses what cp1252 could not read.
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if CONTROL_CHARS.search(text):
        raise ValidationError(UNDECODABLE, code="encoding")
    return text


def open_workbook(data: bytes, *, data_only: bool = False):
    """Open ``data`` as a read-only openpyxl workbook after checking it is safe to open.

    Raises ``ValidationError`` for anything but an XLSX workbook with at least one sheet, and for
    a zip that would unpack to more than MAX_XLSX_UNCOMPRESSED. The caller closes the workbook.
    """
    import openpyxl

    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(NOT_XLSX, code="not_xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_unpacked_size(archive)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except ValidationError:
        raise
    except Exception as exc:  # zipfile and openpyxl raise many kinds for a broken file
        raise ValidationError(NOT_XLSX, code="not_xlsx") from exc
    if not workbook.worksheets:
        workbook.close()
        raise ValidationError(NOT_XLSX, code="not_xlsx")
    return workbook


def _too_large() -> ValidationError:
    return ValidationError(
        XLSX_TOO_LARGE,
        code="xlsx_too_large",
        params={"max": filesizeformat(MAX_XLSX_UNCOMPRESSED)},
    )


def check_unpacked_size(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts unpack beyond the limits, before anything parses them.

    First by the sizes the zip declares (free), then by unpacking every part through a bounded
    stream and counting, so a file that lies about its sizes costs at most the limit. zipfile
    also stops a part at its declared size and checks its CRC.
    """
    members = archive.infolist()
    if not {m.filename for m in members} >= XLSX_REQUIRED_MEMBERS:
        raise ValidationError(NOT_XLSX, code="not_xlsx")
    if len(members) > MAX_XLSX_MEMBERS:
        raise _too_large()
    if sum(m.file_size for m in members) > MAX_XLSX_UNCOMPRESSED:
        raise _too_large()
    for member in members:
        if member.file_size > RATIO_CHECKED_FROM and member.file_size > MAX_XLSX_RATIO * max(
            member.compress_size, 1
        ):
            raise _too_large()
    total = elements = 0
    max_elements = settings.IMPORT_MAX_ROWS * ELEMENTS_PER_ROW
    for member in members:
        counted = member.filename.startswith(COUNTED_PARTS)
        tail = b""
        with archive.open(member) as stream:
            while chunk := stream.read(UNPACK_CHUNK):
                total += len(chunk)
                if total > MAX_XLSX_UNCOMPRESSED:
                    raise _too_large()
                if counted:
                    # An element cut by the chunk's edge is found once: with the previous tail.
                    window = tail + chunk
                    elements += sum(m.end() > len(tail) for m in ELEMENT.finditer(window))
                    if elements > max_elements:
                        raise ValidationError(
                            XLSX_TOO_MANY_CELLS,
                            code="xlsx_too_many_cells",
                            params={"rows": settings.IMPORT_MAX_ROWS},
                        )
                    tail = window[-64:]


def checked_csv_rows(reader):
    """The rows of a ``csv.reader``, refusing any field longer than MAX_FIELD_CHARS.

    The csv module's own limit (128 KB, process-wide) would fail with an English message; this
    one is lower than any upload could need and says which row.
    """
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise _field_too_long(reader.line_num) from exc
            raise
        if any(len(cell) > MAX_FIELD_CHARS for cell in row):
            raise _field_too_long(reader.line_num)
        yield row


def _field_too_long(line: int) -> ValidationError:
    return ValidationError(
        FIELD_TOO_LONG, code="field_too_long", params={"line": line, "max": MAX_FIELD_CHARS}
    )


def upload_kind(name: str) -> str:
    """ "csv" or "xlsx" by the file name's extension; "" for anything else."""
    extension = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    return extension if extension in KINDS else ""


def validate_table_upload(upload, *, max_bytes: int | None = None) -> str:
    """Check an uploaded CSV/XLSX table by size, extension and content; returns its kind.

    For a form's ``clean_<field>()``: raises ``ValidationError`` with a message for the user.
    Reading leaves the file at its start, so the caller can read it again.
    """
    limit = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; at most %(max)s can be imported at once."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "max": filesizeformat(limit)},
        )
    kind = upload_kind(upload.name or "")
    if not kind:
        raise ValidationError(
            _("Please upload a CSV file (.csv) or an Excel workbook (.xlsx)."), code="extension"
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.strip().removeprefix(b"\xef\xbb\xbf").strip():
        raise ValidationError(EMPTY, code="empty")
    if kind == "xlsx":
        open_workbook(data).close()
    else:
        decode_text(data)
    return kind


# --- Receipts (scans of invoices): PDF, PNG or JPEG, decided by the bytes ----------------------

# kind → (extension, content type, the bytes the file must start with)
RECEIPT_KINDS = {
    "pdf": ("pdf", "application/pdf", b"%PDF-"),
    "png": ("png", "image/png", b"\x89PNG\r\n\x1a\n"),
    "jpeg": ("jpg", "image/jpeg", b"\xff\xd8\xff"),
}
NOT_A_RECEIPT = _(
    "This file is not a PDF, PNG or JPEG file (whatever its name says). Please scan or save the "
    "receipt as PDF, PNG or JPEG."
)
BROKEN_RECEIPT = _("The file is damaged or incomplete: it could not be read as %(kind)s.")
RECEIPT_NAME_CHARS = 120
# Settings may lower or raise it (RECEIPT_MAX_BYTES); a phone's scan of a page is 1-4 MB.
RECEIPT_MAX_BYTES = 10 * 1024 * 1024


def receipt_max_bytes() -> int:
    return getattr(settings, "RECEIPT_MAX_BYTES", RECEIPT_MAX_BYTES)


# Bidirectional overrides and other invisible format characters (Unicode category Cf) can make
# "rechnung<U+202E>fdp.exe" look like "rechnungexe.pdf"; control characters break headers.
_UNSAFE_NAME_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")


def receipt_display_name(name: str) -> str:
    """The uploader's file name as a harmless label: no path, no control or bidi characters,
    at most RECEIPT_NAME_CHARS characters. Never used as a path (files get random names)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = (
        "".join(
            c
            for c in unicodedata.normalize("NFC", name)
            if unicodedata.category(c) not in _UNSAFE_NAME_CATEGORIES
        )
        .strip()
        .lstrip(".")
    )
    if len(name) > RECEIPT_NAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        keep = RECEIPT_NAME_CHARS - len(dot + extension) if dot and len(extension) <= 5 else 0
        name = (stem[:keep] + dot + extension) if keep > 0 else name[:RECEIPT_NAME_CHARS]
    return name or "receipt"


def _check_image(data: bytes, kind: str) -> None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != {"png": "PNG", "jpeg": "JPEG"}[kind]:
                raise ValueError(image.format)
            # Refuse decompression bombs (Pillow warns, then errors, past MAX_IMAGE_PIXELS).
            if image.width * image.height > Image.MAX_IMAGE_PIXELS:
                raise ValueError("too many pixels")
            image.verify()
    except Exception as exc:
        raise ValidationError(BROKEN_RECEIPT, code="broken", params={"kind": kind.upper()}) from exc


def validate_receipt_upload(upload, *, max_bytes: int | None = None) -> tuple[str, str]:
    """Check an uploaded receipt by size and content; returns (extension, content type).

    The first bytes decide the kind (never the name or the browser's content type); a PDF must
    also end with its end-of-file mark, an image must open and verify with Pillow.
    Reading leaves the file at its start.
    """
    limit = receipt_max_bytes() if max_bytes is None else max_bytes
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; a receipt may be at most %(max)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "max": filesizeformat(limit)},
        )
    data = read_upload(upload)
    kind = next((k for k, spec in RECEIPT_KINDS.items() if data.startswith(spec[2])), None)
    if kind is None:
        raise ValidationError(NOT_A_RECEIPT, code="not_a_receipt")
    extension, content_type, _magic = RECEIPT_KINDS[kind]
    if kind == "pdf":
        check_pdf_complete(data)  # BROKEN_RECEIPT is the same text
    else:
        _check_image(data, kind)
    return extension, content_type


# --- Attachments (homework and the like): PDF, DOCX, XLSX, PNG, JPEG, decided by the bytes ------

# kind → (extension, content type); the extensions a name may carry for each kind.
ATTACHMENT_KINDS = {
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "png": ("png", "image/png"),
    "jpeg": ("jpg", "image/jpeg"),
}
ATTACHMENT_EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
}
# The main part each OOXML kind must declare in [Content_Types].xml; a macro-enabled file
# (.docm, .xlsm: "macroEnabled" types, vbaProject.bin) declares another and is refused.
OOXML_MAIN_PARTS = {
    "docx": (
        "word/document.xml",
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "xlsx": (
        "xl/workbook.xml",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
NOT_AN_ATTACHMENT = _(
    "Only PDF, Word (.docx), Excel (.xlsx), PNG and JPEG files can be attached. Please save the "
    "file in one of these formats."
)
ATTACHMENT_LIES = _(
    "The file's name says %(claimed)s, but its content is %(found)s. Please check that you chose "
    "the right file, or save it again in the format its name says."
)
ATTACHMENT_NOT_WHAT_IT_SAYS = _(
    "The file's name says %(claimed)s, but its content is not a PDF, Word, Excel, PNG or JPEG "
    "file. Only these formats can be attached."
)
BROKEN_ATTACHMENT = _("The file is damaged or incomplete: it could not be read as %(kind)s.")
ATTACHMENT_UNPACKS_TOO_LARGE = _(
    "The file unpacks to more than %(max)s. Please attach a smaller file or save it as PDF."
)
MACROS_REFUSED = _(
    "Files with macros cannot be attached. Please save the document without macros "
    "(.docx or .xlsx)."
)


def attachment_max_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES)


def _attachment_kind_of(data: bytes) -> str | None:
    """The kind the first bytes say; a zip is told apart by the OOXML part it declares."""
    for kind, (_extension, _type, magic) in RECEIPT_KINDS.items():
        if data.startswith(magic):
            return kind
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except Exception:  # noqa: BLE001 -- a broken zip is no office file
            return None
        for kind, (main_part, _declared) in OOXML_MAIN_PARTS.items():
            if main_part in names:
                return kind
    return None


def _label(kind: str) -> str:
    return {"pdf": "PDF", "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)"}.get(kind, kind.upper())


def _check_office_package(data: bytes, kind: str) -> None:
    """An OOXML document that unpacks within the limits, declares its main part with the
    type of a macro-free document, and (a workbook) opens with openpyxl."""
    main_part, declared = OOXML_MAIN_PARTS[kind]
    broken = ValidationError(BROKEN_ATTACHMENT, code="broken", params={"kind": _label(kind)})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names or main_part not in names:
                raise broken
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise ValidationError(MACROS_REFUSED, code="macros")
            too_large = ValidationError(
                ATTACHMENT_UNPACKS_TOO_LARGE,
                code="unpacks_too_large",
                params={"max": filesizeformat(MAX_XLSX_UNCOMPRESSED)},
            )
            if len(members) > MAX_XLSX_MEMBERS or (
                sum(m.file_size for m in members) > MAX_XLSX_UNCOMPRESSED
            ):
                raise too_large
            total = 0
            for member in members:
                if member.file_size > RATIO_CHECKED_FROM and member.file_size > (
                    MAX_XLSX_RATIO * max(member.compress_size, 1)
                ):
                    raise too_large
                # Unpack through a bounded stream: a zip that lies about its sizes costs at
                # most the limit (zipfile also checks each part's CRC).
                with archive.open(member) as stream:
                    while chunk := stream.read(UNPACK_CHUNK):
                        total += len(chunk)
                        if total > MAX_XLSX_UNCOMPRESSED:
                            raise too_large
            content_types = archive.read("[Content_Types].xml")
    except ValidationError:
        raise
    except Exception as exc:  # zipfile raises many kinds for a broken file
        raise broken from exc
    if b"macroEnabled" in content_types:
        raise ValidationError(MACROS_REFUSED, code="macros")
    if declared not in content_types:
        raise broken
    if kind == "xlsx":
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise broken from exc
        try:
            if not workbook.worksheets:
                raise broken
        finally:
            workbook.close()


def check_attachment_size(upload, limit: int) -> None:
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; an attachment may be at most %(max)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "max": filesizeformat(limit)},
        )


def read_upload(upload) -> bytes:
    """All of the upload's bytes, refused when there are none; the file is left at its start."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data:
        raise ValidationError(EMPTY, code="empty")
    return data


def check_pdf_complete(data: bytes) -> None:
    """A PDF ends with its end-of-file mark: one without was cut off on the way."""
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(BROKEN_ATTACHMENT, code="broken", params={"kind": "PDF"})


def validate_attachment_upload(upload, *, max_bytes: int | None = None) -> tuple[str, str]:
    """Check an uploaded attachment by size, name and content; returns (extension, content
    type) of the kind its bytes show: PDF, DOCX, XLSX, PNG or JPEG.

    The name's extension must be one of these and agree with the content (a PNG named .pdf,
    a .docx that is a workbook, an HTML page named .pdf are refused with a message); a PDF must
    end with its end-of-file mark, an image must verify with Pillow, an office file must unpack
    within the workbook limits, be free of macros and (a workbook) open with openpyxl.
    Reading leaves the file at its start.
    """
    check_attachment_size(upload, attachment_max_bytes() if max_bytes is None else max_bytes)
    name = (upload.name or "").lower()
    claimed = ATTACHMENT_EXTENSIONS.get(name.rsplit(".", 1)[-1] if "." in name else "")
    if claimed is None:
        raise ValidationError(NOT_AN_ATTACHMENT, code="extension")
    data = read_upload(upload)
    found = _attachment_kind_of(data)
    if found is None:
        raise ValidationError(
            ATTACHMENT_NOT_WHAT_IT_SAYS, code="lies", params={"claimed": _label(claimed)}
        )
    if found != claimed:
        raise ValidationError(
            ATTACHMENT_LIES,
            code="lies",
            params={"claimed": _label(claimed), "found": _label(found)},
        )
    if found == "pdf":
        check_pdf_complete(data)
    elif found in ("png", "jpeg"):
        try:
            _check_image(data, found)
        except ValidationError as exc:
            raise ValidationError(
                BROKEN_ATTACHMENT, code="broken", params={"kind": _label(found)}
            ) from exc
    else:
        _check_office_package(data, found)
    return ATTACHMENT_KINDS[found]
