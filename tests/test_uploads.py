# SPDX-License-Identifier: AGPL-3.0-or-later
"""CV uploads are hostile until proven to be a real PDF, DOCX or ODT document (no database needed)."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader, PdfWriter

from app.applications import pdf_text
from app.applications.pdf_text import (
    ENCRYPTED,
    MAX_PDF_PAGES,
    TOO_SLOW,
    TRUNCATED,
    UNREADABLE,
    extract_pdf_text,
)
from app.applications.uploads import (
    DOCX,
    MAX_CV_BYTES,
    ODT,
    PDF,
    UnsafeUpload,
    clean_filename,
    inspect_cv,
    read_limited,
)

CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
RELS_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    b"</Relationships>"
)
W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def minimal_pdf(text: str = "Curriculum vitae") -> bytes:
    """A small, valid one-page PDF, written by hand."""
    return pdf_with_pages(text)


def pdf_with_pages(*texts: str) -> bytes:
    """A valid PDF written by hand, one page per text (Helvetica, one line each)."""
    kids = " ".join(f"{3 + 2 * index} 0 R" for index in range(len(texts)))
    font = 3 + 2 * len(texts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(texts)} >>".encode(),
    ]
    for index, text in enumerate(texts):
        stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents {4 + 2 * index} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def encrypted_pdf(text: str, password: str) -> bytes:
    """A PDF that opens only with ``password`` (an empty one: anyone may read it)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf(text))))
    writer.encrypt(user_password=password, owner_password="owner-secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def word_document(*paragraphs: str, doctype: bytes = b"") -> bytes:
    """word/document.xml with one paragraph per string."""
    body = b"".join(b"<w:p><w:r><w:t>" + text.encode() + b"</w:t></w:r></w:p>" for text in paragraphs)
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + doctype
        + b"<w:document "
        + W
        + b"><w:body>"
        + body
        + b"</w:body></w:document>"
    )


def make_docx(document_xml: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A real DOCX archive (the parts Word needs to open it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        archive.writestr("_rels/.rels", RELS_XML)
        archive.writestr("word/document.xml", document_xml or word_document("Ada Lovelace", "Engineer"))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def make_odt(*paragraphs: str) -> bytes:
    """A real ODT archive: the stored mimetype entry first, then content.xml."""
    body = "".join(f"<text:p>{text}</text:p>" for text in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:text><text:h>CV</text:h>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT.encode(), compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return buffer.getvalue()


def docx_with_external_entity() -> bytes:
    """A DOCX whose document.xml pulls in /etc/passwd through an external entity."""
    doctype = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + doctype
        + b"<w:document "
        + W
        + b"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"
    )
    return make_docx(xml)


def docx_zip_bomb(megabytes: int = 200) -> bytes:
    """A DOCX with an entry of ``megabytes`` MB of zeros, compressed to a few hundred KB (streamed)."""
    buffer = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        archive.writestr("word/document.xml", word_document("Hi"))
        with archive.open("word/media/image1.png", "w", force_zip64=True) as entry:
            for _ in range(megabytes):
                entry.write(chunk)
    return buffer.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"payload" * 50
GIF_PHP = b"GIF87a<?php system($_GET['c']); ?>" + bytes(100)
SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def test_a_real_pdf_is_accepted_and_its_text_extracted():
    document = inspect_cv("My CV.pdf", pdf_with_pages("Ada  Lovelace", "Analytical engines"))
    assert document.content_type == PDF
    assert document.filename == "My CV.pdf"
    assert document.text == "Ada Lovelace\nAnalytical engines"
    assert document.stream().read() == pdf_with_pages("Ada  Lovelace", "Analytical engines")


def test_only_the_first_pages_of_a_long_pdf_are_read():
    found = extract_pdf_text(pdf_with_pages(*(f"Page{number}" for number in range(1, MAX_PDF_PAGES + 11))))
    assert found.problem == TRUNCATED
    assert f"Page{MAX_PDF_PAGES}" in found.text and f"Page{MAX_PDF_PAGES + 1}" not in found.text


def test_pdf_text_stops_at_the_character_limit():
    found = extract_pdf_text(pdf_with_pages("A" * 80, "B" * 80, "C" * 80), max_chars=100)
    assert found.problem == TRUNCATED and len(found.text) == 100 and "C" not in found.text


def test_an_encrypted_pdf_is_accepted_without_text():
    locked = encrypted_pdf("Secret skills", "candidate-password")
    assert extract_pdf_text(locked).problem == ENCRYPTED
    document = inspect_cv("cv.pdf", locked)
    assert document.content_type == PDF and document.text == "" and document.data == locked


def test_a_pdf_protected_only_against_printing_still_gives_its_text():
    assert inspect_cv("cv.pdf", encrypted_pdf("Open skills", "")).text == "Open skills"


def test_a_damaged_pdf_is_accepted_without_text():
    damaged = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
    assert extract_pdf_text(damaged).problem == UNREADABLE
    document = inspect_cv("cv.pdf", damaged)
    assert document.text == "" and document.data == damaged


def test_a_pdf_that_reads_too_slowly_is_kept_without_text(monkeypatch):
    monkeypatch.setattr(pdf_text, "PDF_TEXT_TIMEOUT_SECONDS", 0.001)
    assert extract_pdf_text(minimal_pdf("Slow")).problem == TOO_SLOW
    assert inspect_cv("cv.pdf", minimal_pdf("Slow")).text == ""


def test_a_real_docx_is_accepted_and_its_text_extracted():
    document = inspect_cv("cv.DOCX", make_docx(word_document("Ada  Lovelace", "Analytical engines")))
    assert document.content_type == DOCX
    assert document.text == "Ada Lovelace\nAnalytical engines"


def test_a_real_odt_is_accepted_and_its_text_extracted():
    document = inspect_cv("cv.odt", make_odt("Grace Hopper", "Compilers"))
    assert document.content_type == ODT
    assert document.text == "CV\nGrace Hopper\nCompilers"


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("cv.pdf", b"", "The file is empty"),
        ("cv.pdf", ELF, "This file is a program"),
        ("cv.pdf", b"MZ\x90\x00" + bytes(200), "This file is a program"),
        ("cv.pdf", b"#!/bin/sh\nrm -rf /\n", "This file is a program"),
        ("cv.docx", b"\xcf\xfa\xed\xfe" + bytes(200), "This file is a program"),
        ("cv.pdf", GIF_PHP, "not a real PDF, DOCX or ODT"),
        ("cv.pdf", b"%PDF-1.4\n<?php echo 1; ?>\n%%EOF", "not a real PDF, DOCX or ODT"),
        ("cv.pdf", b"%PDF-1.4\n<script>alert(1)</script>\n%%EOF", "not a real PDF, DOCX or ODT"),
        ("cv.pdf", SVG_SCRIPT, "not a real PDF, DOCX or ODT"),
        ("cv.svg", SVG_SCRIPT, "as a PDF, DOCX or ODT file"),
        ("cv.pdf", HTML_PAGE, "not a real PDF, DOCX or ODT"),
        ("cv.html", HTML_PAGE, "as a PDF, DOCX or ODT file"),
        ("cv.exe", minimal_pdf(), "as a PDF, DOCX or ODT file"),
        ("cv", minimal_pdf(), "as a PDF, DOCX or ODT file"),
        ("cv.pdf", b"%PDF-1.4\nno end marker", "not a real PDF, DOCX or ODT"),
        ("cv.pdf", b"just some text, not a document at all", "not a real PDF, DOCX or ODT"),
        ("cv.docx", minimal_pdf(), "does not match its name"),
        ("cv.pdf", make_docx(), "does not match its name"),
        ("cv.odt", make_docx(), "does not match its name"),
        ("cv.docx", make_odt("x"), "does not match its name"),
        ("cv.docx", b"PK\x03\x04" + bytes(100), "not a real PDF, DOCX or ODT"),
        ("cv.docx", docx_with_external_entity(), "could not be read safely"),
    ],
)
def test_hostile_or_mislabelled_files_are_refused(filename, data, message):
    with pytest.raises(UnsafeUpload) as refused:
        inspect_cv(filename, data)
    assert message in refused.value.message


def test_a_zip_bomb_is_refused_quickly():
    bomb = docx_zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(UnsafeUpload, match="could not be read safely"):
        inspect_cv("cv.docx", bomb)


def test_a_docx_with_internal_entities_is_refused():
    billion_laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    with pytest.raises(UnsafeUpload, match="could not be read safely"):
        inspect_cv("cv.docx", make_docx(word_document("&lol2;", doctype=billion_laughs)))


def test_too_many_entries_are_refused():
    extra = {f"word/media/{number}.txt": b"x" for number in range(1001)}
    with pytest.raises(UnsafeUpload, match="could not be read safely"):
        inspect_cv("cv.docx", make_docx(extra=extra))


def test_too_much_uncompressed_content_is_refused():
    # Random-looking content barely compresses: no ratio alarm, only the total is too large.
    extra = {f"word/media/{number}.bin": bytes(range(256)) * 4096 * 13 for number in range(5)}
    with pytest.raises(UnsafeUpload, match="could not be read safely"):
        inspect_cv("cv.docx", make_docx(extra=extra))


def test_size_limits():
    with pytest.raises(UnsafeUpload, match="larger than 10 MB"):
        inspect_cv("cv.pdf", minimal_pdf() + bytes(MAX_CV_BYTES))
    with pytest.raises(UnsafeUpload, match="larger than 10 MB"):
        read_limited(io.BytesIO(bytes(MAX_CV_BYTES + 1)))
    assert len(read_limited(io.BytesIO(bytes(MAX_CV_BYTES)))) == MAX_CV_BYTES


def test_filenames_lose_paths_and_control_characters():
    assert clean_filename("C:\\Users\\ada\\cv.pdf") == "cv.pdf"
    assert clean_filename("../../etc/cv\x00\n.pdf") == "cv.pdf"
    long_name = clean_filename("a" * 400 + ".pdf")
    assert len(long_name) == 255 and long_name.endswith(".pdf")
