"""regiolab.uploads.validate_attachment_upload: the bytes decide, the name must agree."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from regiolab import uploads
from tests.learning.support import (
    DOCM_MAIN,
    PDF,
    docx_bytes,
    jpeg_bytes,
    png_bytes,
    xlsx_bytes,
)


def check(name: str, content: bytes):
    return uploads.validate_attachment_upload(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bericht.pdf", PDF, ("pdf", "application/pdf")),
        ("foto.PNG", png_bytes(), ("png", "image/png")),
        ("foto.jpeg", jpeg_bytes(), ("jpg", "image/jpeg")),
        ("foto.jpg", jpeg_bytes(), ("jpg", "image/jpeg")),
        (
            "analyse.docx",
            docx_bytes(),
            (
                "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        ),
        (
            "zahlen.xlsx",
            xlsx_bytes(),
            ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
    ],
)
def test_the_five_kinds_are_accepted_by_their_content(name, content, expected):
    assert check(name, content) == expected


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        # The wrong type, whatever the bytes.
        ("programm.exe", b"MZ\x90\x00", "extension"),
        ("notizen.txt", b"Nur Text", "extension"),
        ("ohne-endung", PDF, "extension"),
        ("tabelle.csv", b"a;b\n1;2\n", "extension"),
        # Lying about the type: the name says one allowed kind, the bytes another or none.
        ("rechnung.pdf", png_bytes(), "lies"),
        ("foto.png", PDF, "lies"),
        ("seite.pdf", b"<html><script>alert(1)</script></html>", "lies"),
        ("tabelle.docx", xlsx_bytes(), "lies"),
        ("text.xlsx", docx_bytes(), "lies"),
        ("programm.pdf", b"MZ\x90\x00\x03", "lies"),
        ("archiv.docx", b"PK\x03\x04kaputt", "lies"),
        # Damaged or dangerous content of the right kind.
        ("kaputt.pdf", b"%PDF-1.4\nno end mark", "broken"),
        ("kaputt.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken"),
        ("makro.docx", docx_bytes(main_type=DOCM_MAIN), "macros"),
        ("makro2.docx", docx_bytes(extra={"word/vbaProject.bin": b"\x00" * 10}), "macros"),
        ("leer.pdf", b"", "empty"),
    ],
)
def test_wrong_lying_and_broken_files_are_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as caught:
        check(name, content)
    assert caught.value.code == code
    assert caught.value.messages[0]


def test_a_file_above_ten_megabytes_is_refused_before_it_is_read():
    upload = SimpleUploadedFile("gross.pdf", PDF)
    upload.size = 10 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as caught:
        uploads.validate_attachment_upload(upload)
    assert caught.value.code == "too_large"
    assert "ein Anhang darf höchstens 10,0\xa0MB groß sein" in caught.value.messages[0]


def test_a_word_file_that_unpacks_to_a_bomb_is_refused():
    data = docx_bytes(extra={"word/media/image1.bin": b"\x00" * (30 * 1024 * 1024)})
    assert len(data) < 200_000
    with pytest.raises(ValidationError) as caught:
        check("bombe.docx", data)
    assert caught.value.code == "unpacks_too_large"


def test_the_english_message_names_what_the_name_claims_and_what_the_file_is(english):
    with pytest.raises(ValidationError) as caught:
        check("rechnung.pdf", png_bytes())
    assert caught.value.messages == [
        "The file's name says PDF, but its content is PNG. Please check that you chose the "
        "right file, or save it again in the format its name says."
    ]
