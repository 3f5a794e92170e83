# SPDX-License-Identifier: AGPL-3.0-or-later
"""Security headers and a nonce-based Content-Security-Policy on every response."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

from app.core.extensions import talisman


def storage_origins(app: Flask) -> list[str]:
    """Origins the browser talks to directly for files (S3 presigned URLs)."""
    if app.config["STORAGE_BACKEND"] != "s3":
        return []
    endpoint = app.config.get("S3_PUBLIC_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    region = app.config["S3_REGION"]
    return [
        f"https://{app.config['S3_BUCKET']}.s3.{region}.amazonaws.com",
        f"https://s3.{region}.amazonaws.com",
    ]


def content_security_policy(app: Flask) -> dict[str, str | list[str]]:
    """Only our own origin (and the file store) may serve scripts, styles and media."""
    files = storage_origins(app)
    return {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": ["'self'", "data:", "blob:", *files],
        "media-src": ["'self'", "blob:", *files],
        "connect-src": ["'self'", *files],
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def init_security_headers(app: Flask) -> None:
    """Bind Flask-Talisman; TLS is terminated by the proxy, so no forced redirect here."""
    talisman.init_app(
        app,
        force_https=False,
        content_security_policy=content_security_policy(app),
        content_security_policy_nonce_in=["script-src", "style-src"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        strict_transport_security=app.config["SESSION_COOKIE_SECURE"],
        permissions_policy={"camera": "(self)", "microphone": "(self)", "geolocation": "()"},
    )
