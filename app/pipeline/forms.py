# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms of the pipeline: moving a card, the list's filters and bulk actions, stage settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.pipeline.queries import SORTS


class MoveForm(FlaskForm):
    """Move one application to another stage (the board's keyboard alternative and drag and drop)."""

    stage = StringField(_l("Move to"), validators=[DataRequired(), Length(max=40)])


class ButtonForm(FlaskForm):
    """A button that only needs its CSRF token."""


class StageNameForm(FlaskForm):
    """A stage's name, to add or rename a stage."""

    name = StringField(_l("Stage name"), validators=[DataRequired(), Length(max=80)])


class StageMoveForm(FlaskForm):
    """Move a stage one place earlier or later."""

    offset = IntegerField(validators=[InputRequired(), NumberRange(min=-1, max=1)])


SORT_LABELS = {
    "applied": _l("Applied date"),
    "name": _l("Name"),
    "rating": _l("Rating"),
    "stage": _l("Stage"),
}


class ListFilterForm(FlaskForm):
    """The list's filters, sort and search, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    stage = SelectField(_l("Stage"), validators=[Optional()])
    min_rating = SelectField(
        _l("Rating at least"),
        choices=[SelectChoice("", _l("Any rating")), *[SelectChoice(str(n), f"{n} ★") for n in range(1, 6)]],
        validators=[Optional()],
    )
    channel = SelectField(_l("Came from"), validators=[Optional()])
    source = StringField(_l("Source contains"), validators=[Optional(), Length(max=100)])
    tag = SelectField(_l("Tag"), validators=[Optional()])
    applied_from = DateField(_l("Applied from"), validators=[Optional()])
    applied_to = DateField(_l("Applied until"), validators=[Optional()])
    sort = SelectField(
        _l("Sort by"), choices=[SelectChoice(key, SORT_LABELS[key]) for key in SORTS], default="applied"
    )
    order = SelectField(
        _l("Order"),
        choices=[SelectChoice("desc", _l("Descending")), SelectChoice("asc", _l("Ascending"))],
        default="desc",
    )


BULK_ACTIONS = ("move", "invite", "tag", "untag", "reject")


class BulkForm(FlaskForm):
    """An action on the checked rows of the list; which inputs count depends on the button pressed."""

    application = SelectMultipleField(validate_choice=False)
    action = SelectField(
        choices=[SelectChoice(action, action) for action in BULK_ACTIONS], validators=[DataRequired()]
    )
    # Explicit ids: the filter form on the same page has fields with the same names.
    stage = SelectField(_l("Move to"), validators=[Optional()], validate_choice=False, id="bulk-stage")
    tag = StringField(_l("Tag"), validators=[Optional(), Length(max=40)], id="bulk-tag")
    template_id = SelectField(
        _l("Interview"), coerce=int, validators=[Optional()], validate_choice=False, id="bulk-template"
    )
    deadline = DateField(_l("Answer by"), validators=[Optional()], id="bulk-deadline")
