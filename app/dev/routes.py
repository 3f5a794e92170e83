# SPDX-License-Identifier: AGPL-3.0-or-later
"""The development outbox: every mail the app would have sent, readable in the browser."""

from __future__ import annotations

from ipaddress import ip_address

from flask import Response, abort, current_app, render_template, request, send_file

from app.core.mail import list_outbox, outbox_file, read_outbox_message
from app.dev import bp

# Headers a proxy in front of the app uses to name the real client.
FORWARDING_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


@bp.before_request
def require_dev_outbox() -> None:
    """Stay invisible (404) outside development and to anyone but a browser on this machine."""
    if not current_app.config.get("DEV_OUTBOX_ENABLED") or not from_loopback():
        abort(404)


def is_loopback(address: str | None) -> bool:
    """Whether ``address`` is 127.0.0.0/8 or ::1 (anything unparsable is not)."""
    try:
        return ip_address((address or "").strip().strip("[]")).is_loopback
    except ValueError:
        return False


def from_loopback() -> bool:
    """The client is on this machine: loopback peer, and no proxy in between naming someone else."""
    if not is_loopback(request.remote_addr):
        return False
    # Behind a local proxy the peer is always loopback; whoever the proxy names must be local too.
    for header in FORWARDING_HEADERS:
        value = request.headers.get(header)
        if value is None:
            continue
        if header == "Forwarded":
            named = [
                part.split("=", 1)[1].strip('"')
                for part in value.replace(",", ";").split(";")
                if part.strip().lower().startswith("for=")
            ]
        else:
            named = value.split(",")
        if not named or not all(is_loopback(address) for address in named):
            return False
    return True


@bp.get("/outbox")
def outbox() -> str:
    """List the outbox, newest first."""
    messages = list_outbox(current_app.config["MAIL_OUTBOX_PATH"])
    return render_template("dev/outbox.html", messages=messages)


@bp.get("/outbox/<name>")
def outbox_message(name: str) -> str:
    """Show one message: headers, the text part and the HTML source."""
    message = read_outbox_message(current_app.config["MAIL_OUTBOX_PATH"], name)
    if message is None:
        abort(404)
    return render_template("dev/message.html", message=message)


@bp.get("/outbox/<name>/raw")
def outbox_download(name: str) -> Response:
    """Download the message as an .eml file, to open in a real mail client."""
    path = outbox_file(current_app.config["MAIL_OUTBOX_PATH"], name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="message/rfc822", as_attachment=True, download_name=name)
