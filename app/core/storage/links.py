# SPDX-License-Identifier: AGPL-3.0-or-later
"""Opaque link tokens: what a file link allows, encrypted so a page never shows a storage key.

A token is AES-256-GCM over a small JSON payload with a random nonce, keyed from SECRET_KEY
and bound to its purpose (download or upload): it cannot be read, altered or used for the
other purpose, and it carries its own expiry.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.storage.base import LinkExpired, LinkInvalid

NONCE_BYTES = 12
KEY_INFO = b"openround.files.links.v1"


class LinkCipher:
    """Seals and opens link payloads with a key derived from the app's secret."""

    def __init__(self, secret_key: str) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(
            secret_key.encode()
        )
        self._aead = AESGCM(derived)

    def seal(self, purpose: str, payload: dict[str, Any], expires_at_ms: int) -> str:
        """An opaque URL-safe token for ``payload`` until ``expires_at_ms`` (Unix milliseconds)."""
        nonce = os.urandom(NONCE_BYTES)
        data = json.dumps({**payload, "e": expires_at_ms}, separators=(",", ":")).encode()
        sealed = nonce + self._aead.encrypt(nonce, data, purpose.encode())
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")

    def open(self, purpose: str, token: str) -> dict[str, Any]:
        """The payload of a genuine token for ``purpose``; LinkInvalid or LinkExpired otherwise."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            data = json.loads(self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()))
        except (InvalidTag, ValueError, binascii.Error) as error:
            raise LinkInvalid("Bad or altered link") from error
        if not isinstance(data, dict) or not isinstance(data.get("e"), int):
            raise LinkInvalid("Malformed link")
        if time.time() * 1000 >= data["e"]:
            raise LinkExpired("Link expired")
        return data
