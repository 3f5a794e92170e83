# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sign-in throttling that slows attackers without locking the owner out.

Failures are counted three ways:

* per account *and* address (``LOGIN_FAILURE_LIMIT``): one address guessing one account gets
  429, while the right password from any other address still works;
* per address (``LOGIN_ADDRESS_FAILURE_LIMIT``): one address guessing many accounts gets 429;
* per account from every address (``LOGIN_ACCOUNT_FAILURE_LIMIT``, set above the first limit so
  that one address alone can never reach it): a guessing campaign spread over many addresses
  locks the account, and its owner receives an e-mailed link that unlocks it. Opening the link
  also marks that browser, which may then sign in to the account while the campaign goes on.

Unknown addresses are counted like known ones, so the answers never reveal which accounts exist.
Failures at the second step (the authenticator code) are counted per account (``MFA_FAILURE_LIMIT``).
"""

from __future__ import annotations

import enum
import ipaddress
import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse

from app.auth.emails import normalize_email
from app.core.extensions import limiter

UNLOCK_COOKIE = "openround_unlock"

logger = logging.getLogger(__name__)


class LoginVerdict(enum.Enum):
    """What the throttle says about a sign-in attempt before the password is checked."""

    ALLOWED = "allowed"
    ADDRESS_BLOCKED = "address_blocked"  # this address made too many failures: 429
    ACCOUNT_LOCKED = "account_locked"  # too many failures from many addresses: owner unlocks by e-mail


def _limit(name: str) -> RateLimitItem:
    return parse(current_app.config[name])


def address_key(ip: str | None) -> str:
    """Addresses as counted: IPv4 as is, IPv6 by /64 (one subscriber usually holds a whole /64)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass(frozen=True)
class FailureCount:
    """One way of counting failed sign-ins: a limit and the identifiers it counts under.

    When the limit store (Redis) is unreachable, signing in keeps working, unthrottled
    meanwhile: a count that cannot be read is not exhausted, one that cannot be written is lost.
    """

    limit: RateLimitItem
    identifiers: tuple[str, ...]

    def exhausted(self) -> bool:
        try:
            return not limiter.limiter.test(self.limit, *self.identifiers)
        except Exception:
            logger.warning("Login throttle store unreachable; not throttling", exc_info=True)
            return False

    def hit(self) -> None:
        try:
            limiter.limiter.hit(self.limit, *self.identifiers)
        except Exception:
            logger.warning("Login throttle store unreachable; failure not counted", exc_info=True)

    def clear(self) -> None:
        try:
            limiter.limiter.clear(self.limit, *self.identifiers)
        except Exception:
            logger.warning("Login throttle store unreachable; count not cleared", exc_info=True)


def _counts(email: str, ip: str | None) -> dict[str, FailureCount]:
    account = normalize_email(email)
    address = address_key(ip)
    return {
        "account_address": FailureCount(
            _limit("LOGIN_FAILURE_LIMIT"), ("login-failure-account-address", account, address)
        ),
        "address": FailureCount(_limit("LOGIN_ADDRESS_FAILURE_LIMIT"), ("login-failure-address", address)),
        "account": FailureCount(_limit("LOGIN_ACCOUNT_FAILURE_LIMIT"), ("login-failure-account", account)),
    }


def check_login(email: str, ip: str | None, unlocked_account: str | None = None) -> LoginVerdict:
    """Whether an attempt may go on to the password check."""
    if not limiter.enabled:
        return LoginVerdict.ALLOWED
    counts = _counts(email, ip)
    if counts["account_address"].exhausted() or counts["address"].exhausted():
        return LoginVerdict.ADDRESS_BLOCKED
    if counts["account"].exhausted() and unlocked_account != normalize_email(email):
        return LoginVerdict.ACCOUNT_LOCKED
    return LoginVerdict.ALLOWED


def record_login_failure(email: str, ip: str | None) -> bool:
    """Count one failed attempt; True when this failure has just locked the account."""
    if not limiter.enabled:
        return False
    counts = _counts(email, ip)
    was_locked = counts["account"].exhausted()
    for count in counts.values():
        count.hit()
    return not was_locked and counts["account"].exhausted()


def record_login_success(email: str, ip: str | None) -> None:
    """The right password from this address: its own failures for the account are forgiven."""
    if limiter.enabled:
        _counts(email, ip)["account_address"].clear()


def unlock_account(email: str, ip: str | None) -> None:
    """The owner proved they read their mail: the account's lock and this address's count go."""
    if limiter.enabled:
        counts = _counts(email, ip)
        counts["account"].clear()
        counts["account_address"].clear()


def _second_factor_failures(user_id: int) -> FailureCount:
    return FailureCount(_limit("MFA_FAILURE_LIMIT"), ("mfa-failure", str(user_id)))


def second_factor_blocked(user_id: int) -> bool:
    """True once the account used up its wrong authenticator codes in the window."""
    return limiter.enabled and _second_factor_failures(user_id).exhausted()


def record_second_factor_failure(user_id: int) -> None:
    """Count one wrong authenticator or recovery code."""
    if limiter.enabled:
        _second_factor_failures(user_id).hit()


def _serializer(salt: str) -> URLSafeTimedSerializer:
    keys = [*(current_app.config.get("SECRET_KEY_FALLBACKS") or []), current_app.config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=salt)


def unlock_token(email: str) -> str:
    """The signed token in the unlock e-mail (it names the account, nothing else)."""
    return _serializer("login-unlock").dumps(normalize_email(email))


def read_unlock_token(token: str, max_age: timedelta) -> str | None:
    """The account an unlock token names, or None when it is forged or too old."""
    try:
        return _serializer("login-unlock").loads(token, max_age=int(max_age.total_seconds()))
    except BadSignature:
        return None


def unlocked_browser_cookie(email: str) -> str:
    """The value of the cookie that lets this browser sign in to a locked account."""
    return _serializer("login-unlocked-browser").dumps(normalize_email(email))


def read_unlocked_browser_cookie(value: str | None, max_age: timedelta) -> str | None:
    """The account this browser was unlocked for, if any."""
    if not value:
        return None
    try:
        return _serializer("login-unlocked-browser").loads(value, max_age=int(max_age.total_seconds()))
    except BadSignature:
        return None
