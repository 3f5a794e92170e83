# SPDX-License-Identifier: AGPL-3.0-or-later
"""CV uploads, treated as hostile until proven to be a real PDF, DOCX or ODT document.

Every check works on the bytes, never on what the browser claims: the extension must match
what the content really is, ZIP-based documents must have the entries their format requires
and stay within sane sizes, and their XML is parsed only with defusedxml. A PDF's text is read
by pypdf in a separate, time- and memory-limited process (``pdf_text``); a PDF whose text cannot
be read (encrypted, damaged, scanned) is still accepted, without text.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

import filetype
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.applications.pdf_text import extract_pdf_text

MAX_CV_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
MAX_ZIP_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_XML_BYTES = 20 * 1024 * 1024
MAX_CV_TEXT_CHARS = 100_000

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ZIP = "application/zip"
CONTENT_TYPES = {".pdf": PDF, ".docx": DOCX, ".odt": ODT}
# What `filetype` may report for each: OOXML is recognised only when "word/" comes early in
# the archive, so a plain ZIP is accepted here and the structural check decides.
GUESSES = {PDF: {PDF}, DOCX: {DOCX, ZIP}, ODT: {ODT, ZIP}}

EXECUTABLE_MAGIC = (
    b"\x7fELF",  # Linux and most Unix binaries
    b"MZ",  # Windows PE
    b"\xfe\xed\xfa\xce",  # Mach-O, 32 and 64 bit, both byte orders, and fat binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",  # scripts
)
# Markers of another format hiding in the first kilobyte (polyglots): documents never start so.
FOREIGN_MAGIC = (b"GIF87a", b"GIF89a", b"\x89PNG", b"\xff\xd8\xff")
FOREIGN_MARKERS = (b"<?php", b"<script", b"<svg", b"<html", b"<!doctype html", b"<body", b"<iframe")

WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ODF_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

MESSAGE_EMPTY = _l("The file is empty. Choose your CV again.")
MESSAGE_TOO_LARGE = _l("The file is larger than 10 MB. Upload a smaller PDF, DOCX or ODT file.")
MESSAGE_EXTENSION = _l("Upload your CV as a PDF, DOCX or ODT file.")
MESSAGE_PROGRAM = _l("This file is a program, not a document. Upload your CV as a PDF, DOCX or ODT file.")
MESSAGE_NOT_DOCUMENT = _l("This file is not a real PDF, DOCX or ODT document.")
MESSAGE_MISMATCH = _l("The content of this file does not match its name. Save it again as PDF, DOCX or ODT.")
MESSAGE_UNREADABLE = _l(
    "This document could not be read safely. Save it again as a plain PDF, DOCX or ODT file."
)


class UnsafeUpload(Exception):
    """The upload was refused; ``message`` says why, in words a candidate understands."""

    def __init__(self, message: str | LazyString) -> None:
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class CheckedDocument:
    """A CV that passed every check, with its bytes and the text found in it."""

    filename: str
    content_type: str
    data: bytes
    text: str

    @property
    def size(self) -> int:
        """Length in bytes."""
        return len(self.data)

    def stream(self) -> BinaryIO:
        """A fresh readable stream over the bytes, for the storage."""
        return io.BytesIO(self.data)


def read_limited(stream: BinaryIO, limit: int = MAX_CV_BYTES) -> bytes:
    """Read at most ``limit`` bytes; UnsafeUpload if there is more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UnsafeUpload(MESSAGE_TOO_LARGE)
    return data


def inspect_cv(filename: str, data: bytes) -> CheckedDocument:
    """Accept ``data`` only if it really is the PDF, DOCX or ODT its name says; else UnsafeUpload."""
    if not data:
        raise UnsafeUpload(MESSAGE_EMPTY)
    if len(data) > MAX_CV_BYTES:
        raise UnsafeUpload(MESSAGE_TOO_LARGE)
    name = clean_filename(filename)
    extension = name[name.rfind(".") :].lower() if "." in name else ""
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None:
        raise UnsafeUpload(MESSAGE_EXTENSION)
    refuse_foreign_content(data)
    kind = filetype.guess(data)
    if kind is None or kind.mime not in GUESSES[content_type]:
        raise UnsafeUpload(MESSAGE_MISMATCH if kind is not None else MESSAGE_NOT_DOCUMENT)
    if content_type == PDF:
        check_pdf(data)
        text = normalize_text(extract_pdf_text(data, max_chars=MAX_CV_TEXT_CHARS).text.splitlines())
    else:
        text = extract_zip_document_text(data, content_type)
    return CheckedDocument(filename=name, content_type=content_type, data=data, text=text[:MAX_CV_TEXT_CHARS])


def clean_filename(filename: str) -> str:
    """The last path segment, printable characters only, at most 255 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (
            f"{stem[: 254 - len(extension)]}{dot}{extension}" if dot and len(extension) < 10 else name[:255]
        )
    return name


def refuse_foreign_content(data: bytes) -> None:
    """Refuse programs, and files whose first kilobyte belongs to an image, a page or a script."""
    head = data[:1024]
    if head.startswith(EXECUTABLE_MAGIC):
        raise UnsafeUpload(MESSAGE_PROGRAM)
    lowered = head.lower()
    if head.startswith(FOREIGN_MAGIC) or any(marker in lowered for marker in FOREIGN_MARKERS):
        raise UnsafeUpload(MESSAGE_NOT_DOCUMENT)
    if lowered.lstrip().startswith(b"<"):  # markup (HTML, SVG, XML) is never a CV document
        raise UnsafeUpload(MESSAGE_NOT_DOCUMENT)


def check_pdf(data: bytes) -> None:
    """A PDF starts with its header and ends with an end-of-file marker."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise UnsafeUpload(MESSAGE_NOT_DOCUMENT)


def extract_zip_document_text(data: bytes, content_type: str) -> str:
    """Check a DOCX or ODT archive's structure and sizes, then read its text safely."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = check_archive(archive)
            if content_type == DOCX:
                return read_docx(archive, entries)
            return read_odt(archive, entries)
    except UnsafeUpload:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        raise UnsafeUpload(MESSAGE_NOT_DOCUMENT) from None


def check_archive(archive: zipfile.ZipFile) -> set[str]:
    """Refuse archives with too many entries, too much content or bomb-like compression."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UnsafeUpload(MESSAGE_UNREADABLE)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:  # encrypted
            raise UnsafeUpload(MESSAGE_UNREADABLE)
        total += info.file_size
        compressed = max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and info.file_size / compressed > MAX_COMPRESSION_RATIO:
            raise UnsafeUpload(MESSAGE_UNREADABLE)
    if total > MAX_ZIP_UNCOMPRESSED_BYTES:
        raise UnsafeUpload(MESSAGE_UNREADABLE)
    return {info.filename for info in infos}


def read_docx(archive: zipfile.ZipFile, entries: set[str]) -> str:
    """The paragraphs of word/document.xml, after checking [Content_Types].xml."""
    if not {"[Content_Types].xml", "word/document.xml"} <= entries:
        raise UnsafeUpload(MESSAGE_NOT_DOCUMENT)
    content_types = read_entry(archive, "[Content_Types].xml")
    parse_xml(content_types)
    if b"wordprocessingml.document.main+xml" not in content_types:
        raise UnsafeUpload(MESSAGE_NOT_DOCUMENT)
    document = parse_xml(read_entry(archive, "word/document.xml"))
    paragraphs = [
        "".join(node.text or "" for node in paragraph.iter(f"{WORD_NS}t"))
        for paragraph in document.iter(f"{WORD_NS}p")
    ]
    return normalize_text(paragraphs)


def read_odt(archive: zipfile.ZipFile, entries: set[str]) -> str:
    """The paragraphs and headings of content.xml, after checking the mimetype entry."""
    if not {"mimetype", "content.xml"} <= entries:
        raise UnsafeUpload(MESSAGE_NOT_DOCUMENT)
    if read_entry(archive, "mimetype", limit=200).strip() != ODT.encode():
        raise UnsafeUpload(MESSAGE_NOT_DOCUMENT)
    content = parse_xml(read_entry(archive, "content.xml"))
    blocks = [
        "".join(node.itertext())
        for node in content.iter()
        if node.tag in (f"{ODF_TEXT_NS}p", f"{ODF_TEXT_NS}h")
    ]
    return normalize_text(blocks)


def read_entry(archive: zipfile.ZipFile, name: str, limit: int = MAX_XML_BYTES) -> bytes:
    """An entry's bytes, never more than ``limit`` whatever its header claims."""
    with archive.open(name) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnsafeUpload(MESSAGE_UNREADABLE)
    return data


def parse_xml(data: bytes) -> Element:
    """Parse XML with defusedxml, refusing any DTD, entity or external reference."""
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError):
        raise UnsafeUpload(MESSAGE_UNREADABLE) from None


def normalize_text(blocks: list[str]) -> str:
    """Blocks joined by newlines, runs of blank space collapsed, empty blocks dropped."""
    lines = (re.sub(r"\s+", " ", block).strip() for block in blocks)
    return "\n".join(line for line in lines if line)
