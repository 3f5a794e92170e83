# SPDX-License-Identifier: AGPL-3.0-or-later
"""The two JSON requests of the browser recorder (static/js/recorder.js): a ticket, then a confirm."""

from __future__ import annotations

from flask import Response, abort, jsonify, make_response
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from app.core.storage import UploadTicket


class TicketForm(FlaskForm):
    """The content type a browser recording will have."""

    content_type = HiddenField(validators=[DataRequired(), Length(max=100)])


class ConfirmUploadForm(FlaskForm):
    """The key of a finished browser upload (sent by recorder.js with the CSRF header)."""

    key = HiddenField(validators=[DataRequired(), Length(max=255)])


def _refuse(message: str) -> None:
    abort(make_response(jsonify(error={"status": 400, "message": message}), 400))


def requested_content_type() -> str:
    """The content type the recorder asks a ticket for; a JSON 400 when it is missing."""
    form = TicketForm()
    if not form.validate_on_submit():
        _refuse(_("Say which kind of video will be uploaded."))
    return form.content_type.data


def confirmed_upload_key() -> str:
    """The storage key of the finished upload the recorder confirms; a JSON 400 when it is missing."""
    form = ConfirmUploadForm()
    if not form.validate_on_submit():
        _refuse(_("The upload key is missing."))
    return form.key.data


def ticket_response(ticket: UploadTicket) -> Response:
    """An upload ticket as recorder.js reads it."""
    return jsonify(
        url=ticket.url,
        fields=ticket.fields,
        key=ticket.key,
        max_size=ticket.max_size,
        expires_in=ticket.expires_in,
    )
