# SPDX-License-Identifier: AGPL-3.0-or-later
"""LocalStorage on a temporary directory: keys, streaming limits, metadata and signed links."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from app.core.storage import (
    FileTooLarge,
    InvalidKey,
    InvalidUpload,
    LinkExpired,
    LinkInvalid,
    LocalStorage,
    ObjectNotFound,
    S3Storage,
    StorageError,
    build_storage,
    content_disposition,
)

SECRET = "local-storage-test-secret"


class EndlessStream(io.RawIOBase):
    """A stream that never ends: saving it only terminates if the size limit is enforced while reading."""

    def __init__(self) -> None:
        self.consumed = 0

    def readable(self) -> bool:
        """Readable, like an upload stream."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill the buffer with zeros, forever."""
        self.consumed += len(buffer)
        buffer[:] = b"\0" * len(buffer)
        return len(buffer)


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    """A LocalStorage rooted in a fresh directory."""
    return LocalStorage(tmp_path / "uploads", secret_key=SECRET, public_url="http://localhost")


def stored_files(root: Path) -> list[Path]:
    """Every regular file under root, metadata and temp files included."""
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_round_trip_streams_content_and_keeps_type(storage: LocalStorage) -> None:
    data = bytes(range(256)) * 1000  # several chunks
    stored = storage.save(io.BytesIO(data), prefix="cv", content_type="application/pdf")

    assert re.fullmatch(r"cv/\d{4}/\d{2}/[A-Za-z0-9_-]{32}", stored.key)
    assert (stored.size, stored.content_type) == (len(data), "application/pdf")
    assert storage.stat(stored.key) == stored
    with storage.open(stored.key) as handle:
        assert handle.read() == data

    storage.delete(stored.key)
    assert storage.stat(stored.key) is None
    assert stored_files(storage.root) == []


def test_keys_are_unguessable_and_distinct(storage: LocalStorage) -> None:
    keys = {storage.save(io.BytesIO(b"x"), prefix="p", content_type="text/plain").key for _ in range(20)}
    assert len(keys) == 20


def test_over_limit_stream_is_cut_off_and_leaves_nothing(storage: LocalStorage) -> None:
    stream = EndlessStream()
    with pytest.raises(FileTooLarge):
        storage.save(stream, prefix="cv", content_type="application/pdf", max_size=1_000_000)  # type: ignore[arg-type]
    assert stream.consumed < 1_000_000 + 2 * 64 * 1024
    assert stored_files(storage.root) == []


def test_exactly_max_size_is_accepted(storage: LocalStorage) -> None:
    stored = storage.save(io.BytesIO(b"a" * 100), prefix="cv", content_type="text/plain", max_size=100)
    assert storage.stat(stored.key).size == 100  # type: ignore[union-attr]
    with pytest.raises(FileTooLarge):
        storage.save(io.BytesIO(b"a" * 101), prefix="cv", content_type="text/plain", max_size=100)


def test_failed_overwrite_keeps_the_previous_file(storage: LocalStorage) -> None:
    first = storage.save(io.BytesIO(b"original"), prefix="cv", content_type="text/plain")
    with pytest.raises(FileTooLarge):
        storage.save_as(first.key, io.BytesIO(b"y" * 50), content_type="image/png", max_size=10)
    assert storage.stat(first.key) == first
    with storage.open(first.key) as handle:
        assert handle.read() == b"original"


@pytest.mark.parametrize(
    "key",
    [
        "../outside",
        "cv/../../outside",
        "/etc/passwd",
        "cv/./x",
        ".meta/cv/x.json",
        "cv/.tmp-abc",
        "cv//x",
        "cv/x/",
        "cv\\..\\x",
        "cv/x%2f..",
        "",
        "cv/ünïcode",
    ],
)
def test_keys_that_could_escape_or_reach_internals_are_refused(storage: LocalStorage, key: str) -> None:
    (storage.root / ".meta").mkdir(parents=True)
    with pytest.raises(InvalidKey):
        storage.stat(key)
    with pytest.raises(InvalidKey), storage.open(key):
        pass
    with pytest.raises(InvalidKey):
        storage.delete(key)
    with pytest.raises(InvalidKey):
        storage.download_url(key, filename="x", content_type="text/plain")


def test_prefix_is_validated_like_a_key(storage: LocalStorage) -> None:
    with pytest.raises(InvalidKey):
        storage.save(io.BytesIO(b"x"), prefix="../up", content_type="text/plain")
    with pytest.raises(InvalidKey):
        storage.upload_ticket(prefix="/abs", content_type="text/plain", max_size=10)


def test_delete_is_idempotent(storage: LocalStorage) -> None:
    stored = storage.save(io.BytesIO(b"x"), prefix="cv", content_type="text/plain")
    storage.delete(stored.key)
    storage.delete(stored.key)
    storage.delete("cv/2020/01/never-existed")
    assert storage.stat(stored.key) is None


def test_missing_objects(storage: LocalStorage) -> None:
    assert storage.stat("cv/2020/01/missing") is None
    with pytest.raises(ObjectNotFound), storage.open("cv/2020/01/missing"):
        pass


def test_download_token_round_trip(storage: LocalStorage) -> None:
    stored = storage.save(io.BytesIO(b"x"), prefix="cv", content_type="application/pdf")
    url = storage.download_url(stored.key, filename="cv.pdf", content_type="application/pdf", inline=True)
    assert url.startswith("http://localhost/files/d/")
    grant = storage.read_download_token(url.rsplit("/", 1)[1])
    assert (grant.key, grant.filename, grant.content_type, grant.inline) == (
        stored.key,
        "cv.pdf",
        "application/pdf",
        True,
    )


def test_active_content_types_are_never_inline(storage: LocalStorage) -> None:
    for content_type, expected in [
        ("image/png", True),
        ("video/mp4", True),
        ("text/html", False),
        ("image/svg+xml", False),
    ]:
        url = storage.download_url("cv/2020/01/a", filename="a", content_type=content_type, inline=True)
        assert storage.read_download_token(url.rsplit("/", 1)[1]).inline is expected


def test_download_tokens_expire_and_resist_tampering(storage: LocalStorage, tmp_path: Path) -> None:
    url = storage.download_url("cv/2020/01/abc", filename="a", content_type="text/plain")
    token = url.rsplit("/", 1)[1]
    expired = storage.download_url("cv/2020/01/abc", filename="a", content_type="text/plain", expires_in=0)
    other_secret = LocalStorage(tmp_path, secret_key="another-secret").download_url(
        "cv/2020/01/abc", filename="a", content_type="text/plain"
    )
    upload_token = storage.upload_ticket(prefix="cv", content_type="text/plain", max_size=10).url

    with pytest.raises(LinkExpired):
        storage.read_download_token(expired.rsplit("/", 1)[1])
    for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), other_secret, upload_token, "garbage"):
        with pytest.raises(LinkInvalid):
            storage.read_download_token(bad.rsplit("/", 1)[-1])


def test_upload_ticket_and_receive(storage: LocalStorage) -> None:
    ticket = storage.upload_ticket(prefix="photos", content_type="image/png", max_size=10, expires_in=60)
    assert ticket.url.startswith("http://localhost/files/u/")
    assert (ticket.fields, ticket.max_size, ticket.expires_in) == ({}, 10, 60)
    assert ticket.key.startswith("photos/")
    grant = storage.read_upload_token(ticket.url.rsplit("/", 1)[1])

    with pytest.raises(InvalidUpload):
        storage.receive_upload(grant, io.BytesIO(b"12345"), "text/html")
    with pytest.raises(InvalidUpload):
        storage.receive_upload(grant, io.BytesIO(b""), "image/png")
    with pytest.raises(FileTooLarge):
        storage.receive_upload(grant, io.BytesIO(b"x" * 11), "image/png")
    assert stored_files(storage.root) == []

    stored = storage.receive_upload(grant, io.BytesIO(b"x" * 10), "image/png")
    assert (stored.key, stored.size, stored.content_type) == (ticket.key, 10, "image/png")


def test_a_renewed_ticket_keeps_its_key_and_a_retry_overwrites(storage: LocalStorage) -> None:
    first = storage.upload_ticket(prefix="answers/7", content_type="video/webm", max_size=10)
    again = storage.upload_ticket(prefix="answers/7", content_type="video/webm", max_size=10, key=first.key)
    assert again.key == first.key
    for ticket, data in ((first, b"partial"), (again, b"whole file")):
        grant = storage.read_upload_token(ticket.url.rsplit("/", 1)[1])
        storage.receive_upload(grant, io.BytesIO(data), "video/webm")
    assert [path for path in stored_files(storage.root) if ".meta" not in path.parts] == [
        storage.root / first.key
    ]
    with storage.open(first.key) as handle:
        assert handle.read() == b"whole file"
    # A key can only be renewed under its own prefix.
    for foreign in ("answers/8/2026/01/x", "answers/7/../8/x", "other"):
        with pytest.raises(InvalidKey):
            storage.upload_ticket(prefix="answers/7", content_type="video/webm", max_size=10, key=foreign)


def test_expired_upload_ticket(storage: LocalStorage) -> None:
    ticket = storage.upload_ticket(prefix="photos", content_type="image/png", max_size=10, expires_in=0)
    with pytest.raises(LinkExpired):
        storage.read_upload_token(ticket.url.rsplit("/", 1)[1])


def test_content_disposition_encodes_and_sanitizes_names() -> None:
    assert content_disposition("Résumé 2024.pdf") == (
        "attachment; filename=\"Resume 2024.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202024.pdf"
    )
    assert content_disposition("a.txt", inline=True).startswith('inline; filename="a.txt"')
    injected = content_disposition('../../x"\r\nSet-Cookie: a=b.txt')
    assert "\r" not in injected and "\n" not in injected and "/" not in injected.split("''")[0]
    assert 'filename="x_Set-Cookie_ a_b.txt"' in injected
    assert content_disposition("简历.pdf").startswith('attachment; filename=".pdf"')
    assert content_disposition("").startswith('attachment; filename="download"')


def test_check(storage: LocalStorage, tmp_path: Path) -> None:
    storage.check()
    assert storage.root.is_dir()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    with pytest.raises(StorageError):
        LocalStorage(blocked / "uploads", secret_key=SECRET).check()


def test_build_storage_from_config_does_no_io(tmp_path: Path) -> None:
    local = build_storage(
        {"STORAGE_BACKEND": "local", "STORAGE_LOCAL_PATH": str(tmp_path / "u"), "SECRET_KEY": SECRET}
    )
    assert isinstance(local, LocalStorage)
    assert not (tmp_path / "u").exists()
    remote = build_storage(
        {
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": "b",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing listens: building must not connect
            "S3_PUBLIC_ENDPOINT_URL": None,
            "STORAGE_URL_TTL": 60,
        }
    )
    assert isinstance(remote, S3Storage)
    assert (remote.public_endpoint_url, remote.url_ttl) == ("http://127.0.0.1:9", 60)
    with pytest.raises(StorageError):
        build_storage({"STORAGE_BACKEND": "ftp"})
