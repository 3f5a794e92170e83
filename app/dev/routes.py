"""The development outbox: every mail the app would have sent, readable in the browser."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, send_file

from app.core.mail import list_outbox, outbox_file, read_outbox_message
from app.dev import bp


@bp.before_request
def require_dev_outbox() -> None:
    """Stay invisible unless the configuration enables the outbox (never in production)."""
    if not current_app.config.get("DEV_OUTBOX_ENABLED"):
        abort(404)


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
