# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the scorecard, review, comment, shortlist and sharing forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.review import Recommendation
from app.reviews.services import MAX_NOTE_CHARS, RECOMMENDATION_LABELS, ReviewInput, ReviewSheet
from app.reviews.shortlists import LINK_DEFAULT_DAYS, LINK_MAX_DAYS

RATING_CHOICES = [SelectChoice(str(value), str(value)) for value in range(1, 6)]


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token."""


class MoveForm(FlaskForm):
    """Move a criterion up (-1) or down (+1)."""

    offset = IntegerField(validators=[InputRequired(), NumberRange(min=-1, max=1)])


class CriterionForm(FlaskForm):
    """A scorecard criterion and the guidance reviewers read before scoring it."""

    name = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=120)])
    guidance = TextAreaField(
        _l("Guidance for reviewers"),
        validators=[Optional(), Length(max=2000)],
        description=_l("What a 1 and a 5 look like, and what to listen for."),
    )


class BlindReviewForm(FlaskForm):
    """Blind reviews for one job."""

    enabled = BooleanField(
        _l("Blind reviews: hide name, photo, CV, links and contact until the reviewer has scored")
    )


class CommentForm(FlaskForm):
    """A comment; @name or @e-mail-name mentions a colleague."""

    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)])


class ShortlistForm(FlaskForm):
    """A new shortlist for a job."""

    job_id = SelectField(_l("Job"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])


class AddEntriesForm(FlaskForm):
    """Applications to put on the shortlist."""

    application_ids = SelectMultipleField(
        _l("Applications"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Choose at least one application."))],
    )


class ShareManagerForm(FlaskForm):
    """Share with one of the organization's hiring managers."""

    user_id = SelectField(_l("Hiring manager"), coerce=int, validators=[InputRequired()])


class ShareLinkForm(FlaskForm):
    """An outside reviewer's link: who it is for, and how long it works."""

    label = StringField(
        _l("Who is it for?"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("For example: Dana, agency partner"),
    )
    days = IntegerField(
        _l("Works for how many days (1 to %(days)d)", days=LINK_MAX_DAYS),
        validators=[InputRequired(), NumberRange(min=1, max=LINK_MAX_DAYS)],
        default=LINK_DEFAULT_DAYS,
    )


class ReviewerNameForm(FlaskForm):
    """The outside reviewer's name, asked once per link and browser."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])


class ReviewForm(FlaskForm):
    """A review: built per interview with a rating and note per answer and a score per criterion."""

    recommendation = RadioField(
        _l("Overall recommendation"),
        choices=[SelectChoice(value.value, label) for value, label in RECOMMENDATION_LABELS.items()],
        validators=[DataRequired(_l("Choose your overall recommendation."))],
    )

    def review_input(self) -> ReviewInput:
        """The service's input from the submitted fields."""
        ratings, notes, scores = {}, {}, {}
        for name, field in self._fields.items():
            if name.startswith("rating_") and field.data:
                ratings[int(name.removeprefix("rating_"))] = int(field.data)
            elif name.startswith("note_") and field.data:
                notes[int(name.removeprefix("note_"))] = field.data
            elif name.startswith("score_") and field.data:
                scores[int(name.removeprefix("score_"))] = int(field.data)
        recommendation = Recommendation(self.recommendation.data) if self.recommendation.data else None
        return ReviewInput(ratings=ratings, notes=notes, scores=scores, recommendation=recommendation)


def build_review_form(sheet: ReviewSheet) -> type[ReviewForm]:
    """A ReviewForm with the fields of this interview's answered questions and scorecard."""
    attributes: dict[str, Any] = {}
    for number, item in enumerate(sheet.items, start=1):
        if item.answer is None:
            continue
        attributes[f"rating_{item.answer.id}"] = RadioField(
            _l("Rating of answer %(number)d", number=number),
            choices=RATING_CHOICES,
            validators=[DataRequired(_l("Rate this answer from 1 to 5."))],
        )
        attributes[f"note_{item.answer.id}"] = TextAreaField(
            _l("Note (optional)"), validators=[Optional(), Length(max=MAX_NOTE_CHARS)]
        )
    for entry in sheet.criteria:
        attributes[f"score_{entry.criterion.id}"] = RadioField(
            entry.criterion.name,
            choices=RATING_CHOICES,
            validators=[DataRequired(_l("Score this criterion from 1 to 5."))],
            description=entry.criterion.guidance,
        )
    return type("InterviewReviewForm", (ReviewForm,), attributes)
