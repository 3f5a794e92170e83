# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one place that makes absolute addresses for mail, feeds and links people copy.

Every such address starts with the configured ``PUBLIC_URL``, never with the request's
``Host`` or ``X-Forwarded-Host``: those come from the client and would let anyone who can send
a request put their own host into a password-reset or invitation mail.
"""

from __future__ import annotations

from typing import Any

from flask import current_app


def public_url(endpoint: str, _anchor: str | None = None, **values: Any) -> str:
    """An absolute address of ``endpoint`` on PUBLIC_URL; works inside and outside a request."""
    # Built from the URL map alone, so the request (its host, scheme or script root) never leaks in.
    path = current_app.url_map.bind("localhost", script_name="/").build(endpoint, values)
    address = current_app.config["PUBLIC_URL"].rstrip("/") + path
    return f"{address}#{_anchor}" if _anchor else address
