# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms of the candidate's interview: the shape of the input only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FloatField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

# Far above any question's limit; the service enforces the question's own max_chars.
TEXT_SHAPE_LIMIT = 50_000


class ButtonForm(FlaskForm):
    """A button that only needs the CSRF token (start, finish, written answers instead of video)."""


class TextAnswerForm(FlaskForm):
    """A written answer."""

    text = TextAreaField(validators=[Length(max=TEXT_SHAPE_LIMIT)])


class TicketForm(FlaskForm):
    """The recording's content type and size, and the key of an earlier try of it (JSON)."""

    content_type = HiddenField(validators=[DataRequired(), Length(max=100)])
    key = HiddenField(validators=[Optional(), Length(max=255)])
    size = IntegerField(validators=[Optional(), NumberRange(min=1)])


class ConfirmAnswerForm(FlaskForm):
    """The key of a finished upload and the measured length of the recording (JSON)."""

    key = HiddenField(validators=[DataRequired(), Length(max=255)])
    duration = FloatField(validators=[Optional(), NumberRange(min=0, max=24 * 3600)])


class DeviceCheckForm(FlaskForm):
    """Whether the camera and microphone worked (JSON)."""

    outcome = SelectField(choices=["passed", "failed"], validators=[DataRequired()])
