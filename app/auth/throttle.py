"""Login throttling: failures are counted per account and per IP address."""

from __future__ import annotations

from flask import current_app
from limits import parse

from app.core.extensions import limiter


def _limit():
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


def _keys(email: str, ip: str) -> list[tuple[str, str]]:
    return [("login-failure-account", email.strip().lower()), ("login-failure-ip", ip)]


def login_blocked(email: str, ip: str) -> bool:
    """True once the account or the address used up its failures in the window."""
    if not limiter.enabled:
        return False
    return any(not limiter.limiter.test(_limit(), *key) for key in _keys(email, ip))


def record_login_failure(email: str, ip: str) -> None:
    """Count one failed attempt against both the account and the address."""
    if limiter.enabled:
        for key in _keys(email, ip):
            limiter.limiter.hit(_limit(), *key)
