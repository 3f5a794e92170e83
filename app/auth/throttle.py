"""Login throttling: failures are counted per account and per IP address."""

from __future__ import annotations

import logging

from flask import current_app
from limits import parse

from app.extensions import limiter

logger = logging.getLogger(__name__)


def _limit():
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


def _keys(email: str, ip: str) -> list[tuple[str, str]]:
    return [("login-failure-account", email.strip().lower()), ("login-failure-ip", ip)]


def login_blocked(email: str, ip: str) -> bool:
    """True once the account or the address used up its failures in the window."""
    if not limiter.enabled:
        return False
    try:
        return any(not limiter.limiter.test(_limit(), *key) for key in _keys(email, ip))
    except Exception:
        # The limit store (Redis) is down: signing in keeps working, unthrottled meanwhile.
        logger.warning("Login throttle store unreachable; not throttling", exc_info=True)
        return False


def record_login_failure(email: str, ip: str) -> None:
    """Count one failed attempt against both the account and the address."""
    if limiter.enabled:
        try:
            for key in _keys(email, ip):
                limiter.limiter.hit(_limit(), *key)
        except Exception:
            logger.warning("Login throttle store unreachable; failure not counted", exc_info=True)
