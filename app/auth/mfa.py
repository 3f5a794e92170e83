# SPDX-License-Identifier: AGPL-3.0-or-later
"""Multi-factor sign-in: TOTP authenticator apps and one-time recovery codes.

TOTP secrets are stored encrypted (Fernet) with a key derived from ``SECRET_KEY`` and recovery
codes as keyed hashes (HMAC-SHA256), so a copy of the database alone gives neither away.
Codes of the previous, current and next 30-second step are accepted, and a step once accepted
is never accepted again for the same account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.core.audit import record_audit
from app.core.errors import Conflict, Invalid
from app.core.extensions import db
from app.models import MfaRecoveryCode, Role, User, utcnow

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_CODE_LENGTH = 12  # about 59 random bits each
VALID_WINDOW = 1  # steps accepted either side of the current one


class MfaPolicy:
    """Who an organization requires to use a second factor."""

    OFF = "off"
    ADMINS = "admins"
    EVERYONE = "everyone"
    ALL = (OFF, ADMINS, EVERYONE)


def _secret_keys() -> list[bytes]:
    return [
        current_app.config["SECRET_KEY"].encode(),
        *(key.encode() for key in (current_app.config.get("SECRET_KEY_FALLBACKS") or [])),
    ]


def _derive(secret_key: bytes, purpose: bytes) -> bytes:
    return hmac.new(secret_key, b"openround-mfa:" + purpose, hashlib.sha256).digest()


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(key, b"totp"))) for key in _secret_keys()])


def _hash_recovery_code(code: str, secret_key: bytes) -> str:
    return hmac.new(_derive(secret_key, b"recovery"), code.encode(), hashlib.sha256).hexdigest()


def _normalize_code(code: str) -> str:
    return "".join(character for character in code.lower() if character.isalnum())


def mfa_required(user: User) -> bool:
    """True when the user's organization requires a second factor from them."""
    policy = user.organization.mfa_policy
    return policy == MfaPolicy.EVERYONE or (policy == MfaPolicy.ADMINS and user.role == Role.ADMIN)


def enrolment_required(user: User) -> bool:
    """True when the organization requires a second factor and the user has none yet."""
    return mfa_required(user) and not user.mfa_enabled


def totp_secret(user: User) -> str | None:
    """The decrypted TOTP secret (None when absent or no longer readable with the current keys)."""
    if not user.mfa_secret:
        return None
    try:
        return _fernet().decrypt(user.mfa_secret.encode()).decode()
    except InvalidToken:
        return None


def begin_enrolment(user: User) -> str:
    """The secret to show for enrolment: a new one, kept (encrypted) until a code confirms it."""
    if user.mfa_enabled:
        raise Conflict(str(_l("Two-step sign-in is already on for your account.")))
    secret = totp_secret(user)
    if secret is None:
        secret = pyotp.random_base32()
        user.mfa_secret = _fernet().encrypt(secret.encode()).decode()
        user.mfa_last_step = None
        db.session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=f"Openround {user.organization.name}"
    )


def qr_code_svg(uri: str) -> Markup:
    """The QR code of ``uri`` as inline SVG, drawn on the server (no script, no external image)."""
    # segno emits only path data and dimensions, never the encoded text, so the markup is ours.
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704 - path data and sizes only, generated here


def verify_totp(user: User, code: str) -> bool:
    """Check an authenticator code: ±1 step, and never a step already used by this account."""
    secret = totp_secret(user)
    code = _normalize_code(code)
    if secret is None or not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if user.mfa_last_step is not None and step <= user.mfa_last_step:
                return False
            user.mfa_last_step = step
            return True
    return False


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-step sign-in on once a code proves the app has the secret; returns recovery codes."""
    if user.mfa_enabled:
        raise Conflict(str(_l("Two-step sign-in is already on for your account.")))
    if not verify_totp(user, code):
        raise Invalid(
            str(_l("That code is not right. Check the time on your phone and try again.")), field="code"
        )
    user.mfa_enabled_at = utcnow()
    codes = replace_recovery_codes(user)
    record_audit(user.organization_id, user, "user.mfa_enabled", "user", user.id)
    return codes


def replace_recovery_codes(user: User) -> list[str]:
    """A new set of recovery codes (shown once); the previous ones stop working."""
    db.session.execute(db.delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    secret_key = _secret_keys()[0]
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        db.session.add(MfaRecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(raw, secret_key)))
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    """Replace the recovery codes of an enrolled user (after a re-authentication)."""
    if not user.mfa_enabled:
        raise Conflict(str(_l("Turn two-step sign-in on first.")))
    codes = replace_recovery_codes(user)
    record_audit(user.organization_id, user, "user.mfa_recovery_codes_replaced", "user", user.id)
    return codes


def remaining_recovery_codes(user: User) -> int:
    """How many unused recovery codes the user still has."""
    return db.session.scalar(
        db.select(db.func.count(MfaRecoveryCode.id)).where(
            MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.used_at.is_(None)
        )
    )


def use_recovery_code(user: User, code: str) -> bool:
    """Accept an unused recovery code once."""
    normalized = _normalize_code(code)
    if len(normalized) != RECOVERY_CODE_LENGTH:
        return False
    hashes = {_hash_recovery_code(normalized, key) for key in _secret_keys()}
    recovery = db.session.scalar(
        db.select(MfaRecoveryCode).where(
            MfaRecoveryCode.user_id == user.id,
            MfaRecoveryCode.used_at.is_(None),
            MfaRecoveryCode.code_hash.in_(hashes),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    record_audit(user.organization_id, user, "user.mfa_recovery_code_used", "user", user.id)
    return True


def verify_second_factor(user: User, code: str) -> bool:
    """An authenticator code or, failing that, a recovery code."""
    if not user.mfa_enabled:
        return False
    return verify_totp(user, code) or use_recovery_code(user, code)


def disable_mfa(user: User) -> None:
    """Turn two-step sign-in off, unless the organization requires it of this person."""
    if mfa_required(user):
        raise Conflict(str(_l("Your organization requires two-step sign-in, so it cannot be turned off.")))
    remove_second_factor(user)
    record_audit(user.organization_id, user, "user.mfa_disabled", "user", user.id)


def remove_second_factor(user: User) -> None:
    """Forget the user's TOTP secret and recovery codes (callers check who may do this)."""
    user.mfa_secret = None
    user.mfa_enabled_at = None
    user.mfa_last_step = None
    db.session.execute(db.delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
