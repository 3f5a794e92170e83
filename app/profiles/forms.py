# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the profile forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.models import ProfileVisibility
from app.profiles.services import KIND_LABELS, VISIBILITY_LABELS


def visibility_choices() -> list[SelectChoice]:
    """The three visibilities, from the most private."""
    return [SelectChoice(level.value, label) for level, label in VISIBILITY_LABELS.items()]


class ItemForm(FlaskForm):
    """A new skill, language or interest."""

    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]
    )
    label = StringField(
        _l("Skill, language or interest"),
        validators=[DataRequired(_l("Write a skill, language or interest.")), Length(max=80)],
    )
    visibility = SelectField(
        _l("Who sees it"), choices=visibility_choices(), default=ProfileVisibility.HR.value
    )
    submit = SubmitField(_l("Add"))


class VisibilityForm(FlaskForm):
    """Who sees one item."""

    visibility = SelectField(_l("Who sees it"), choices=visibility_choices())
    submit = SubmitField(_l("Change"))


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class JobPickForm(FlaskForm):
    """Pick a job to see suggestions for (read from the query string)."""

    class Meta:
        csrf = False

    job = SelectField(_l("Job"), choices=[], validate_choice=False)
