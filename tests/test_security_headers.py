# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every page carries security headers and a nonce-based CSP, and loads nothing from CDNs."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import text_of


def test_pages_carry_a_nonce_based_csp(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", csp).group(1)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert f'<style nonce="{nonce}">' in text_of(response)
    assert client.get("/login").headers["Content-Security-Policy"] != csp  # a fresh nonce per response


def test_pages_carry_the_other_security_headers(client):
    headers = client.get("/login").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=(self)" in headers["Permissions-Policy"]


def test_templates_load_nothing_from_other_origins():
    root = Path(__file__).resolve().parent.parent / "templates"
    external = re.compile(r"""(src|href)=["']https?://""")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if not path.name.startswith("_layout") and external.search(path.read_text())
    ]
    assert offenders == []


def test_state_changing_routes_refuse_get(app):
    """No endpoint that changes state answers GET."""
    state_changing = {
        "auth.logout",
        "admin.invite",
        "admin.resend_invitation",
        "admin.change_role",
        "admin.deactivate",
        "admin.reactivate",
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint in state_changing:
            assert "GET" not in rule.methods, rule.endpoint
