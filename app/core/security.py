# SPDX-License-Identifier: AGPL-3.0-or-later
"""Secrets: random tokens stored hashed, Argon2id password hashing, safe redirects."""

from __future__ import annotations

import hashlib
import secrets
from functools import cached_property
from typing import TypeGuard
from urllib.parse import urljoin, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app


class PasswordHashing:
    """The app's Argon2id hasher and a hash to verify against when an account does not exist,
    so that both paths take the same time and login does not reveal which e-mails are registered."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher

    @cached_property
    def dummy_hash(self) -> str:
        # Made on the first sign-in, not when the app starts: a hash costs real time by design.
        return self.hasher.hash(secrets.token_hex(16))


def init_app(app: Flask) -> None:
    """Build the hasher from the configuration (argon2-cffi's RFC 9106 low-memory profile by default)."""
    parameters = app.config.get("ARGON2_PARAMETERS") or {}
    app.extensions["password_hashing"] = PasswordHashing(PasswordHasher(**parameters))


def _hashing() -> PasswordHashing:
    return current_app.extensions["password_hashing"]


def new_token() -> tuple[str, str]:
    """A URL-safe token with 256 random bits, and the hash to store instead of it."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    """SHA-256 of a high-entropy token (no salt needed: the token is random)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hashing().hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; spends the same effort when there is no hash to check."""
    hashing = _hashing()
    try:
        return (
            hashing.hasher.verify(password_hash or hashing.dummy_hash, password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """True when the stored hash uses older parameters than the current ones."""
    return _hashing().hasher.check_needs_rehash(password_hash)


MAX_NEXT_LENGTH = 512


def is_safe_redirect(target: str | None, host_url: str) -> TypeGuard[str]:
    """Only relative paths on this host, of a sane length, may be used as ``?next=``."""
    if not target or len(target) > MAX_NEXT_LENGTH or target.startswith(("//", "\\")) or "\\" in target:
        return False
    joined = urlsplit(urljoin(host_url, target))
    return joined.scheme in {"http", "https"} and joined.netloc == urlsplit(host_url).netloc
