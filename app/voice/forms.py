# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the survey, pulse, settings and testimonial forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    Field,
    Form,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from app.models import PulseAudience
from app.voice.pulses import AUDIENCE_LABELS

SCORE_CHOICES = [SelectChoice(str(value), str(value)) for value in range(11)]
SCORE_VALUES = frozenset(str(value) for value in range(11))


def score_from_0_to_10(form: Form, field: Field) -> None:
    """One of 0 to 10, said plainly whatever else was sent."""
    if field.data not in SCORE_VALUES:
        raise StopValidation(str(_l("Choose a score from 0 to 10.")))


def score_field(label: str) -> RadioField:
    """The 0-10 question; ``int(field.data)`` once validated."""
    return RadioField(label, choices=SCORE_CHOICES, validate_choice=False, validators=[score_from_0_to_10])


class SurveyForm(FlaskForm):
    """One 0-10 score, an optional comment and the candidate's choice to stay anonymous.

    The personal link in the address is what proves who may answer, so this form carries no
    CSRF token (thank-you pages set no cookies); the portal's route checks its CSRF token itself.
    """

    class Meta:
        csrf = False

    score = score_field(_l("Your answer, from 0 (not at all likely) to 10 (extremely likely)"))
    comment = TextAreaField(
        _l("Anything you would like to tell us? (optional)"), validators=[Length(max=2000)]
    )
    sharing = RadioField(
        _l("Your answer"),
        choices=[
            SelectChoice("anonymous", _l("Keep it anonymous")),
            SelectChoice("linked", _l("Link it to my application, so the team can follow up")),
        ],
        default="anonymous",
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Send my answer"))


class PulseAnswerForm(FlaskForm):
    """An employee's anonymous 0-10 score and comment (the personal link proves who may answer)."""

    class Meta:
        csrf = False

    score = score_field(_l("Your answer, from 0 (not at all likely) to 10 (extremely likely)"))
    comment = TextAreaField(
        _l("What is the main reason for your score? (optional)"), validators=[Length(max=2000)]
    )
    submit = SubmitField(_l("Send anonymously"))


class SurveySettingsForm(FlaskForm):
    """The touchpoints at which candidates are asked."""

    after_applying = BooleanField(_l("After applying (on the thank-you page)"))
    after_interview = BooleanField(_l("After the interview (on the page that confirms it was sent)"))
    after_decision = BooleanField(_l("After a decision (by e-mail, when a candidate is hired or rejected)"))
    submit = SubmitField(_l("Save"))


class PulseForm(FlaskForm):
    """A new pulse survey."""

    question = StringField(_l("Question"), validators=[Length(max=300)])
    audience = SelectField(
        _l("Who is asked"),
        choices=[SelectChoice(audience.value, label) for audience, label in AUDIENCE_LABELS.items()],
        default=PulseAudience.EMPLOYEES.value,
    )
    opens_on = DateField(_l("Opens on"), validators=[DataRequired(_l("Choose the opening day."))])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired(_l("Choose the closing day."))])
    reminder_on = DateField(_l("Reminder on (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Schedule the pulse"))


class ResultsFilterForm(FlaskForm):
    """Narrow the cNPS results to one touchpoint or one job (read from the query string)."""

    class Meta:
        csrf = False

    touchpoint = SelectField(_l("Touchpoint"), choices=[], validate_choice=False)
    job = SelectField(_l("Job"), choices=[], validate_choice=False)


class ContributionForm(FlaskForm):
    """An employee's own testimonial."""

    quote = TextAreaField(
        _l("Your words"), validators=[DataRequired(_l("Write your testimonial.")), Length(max=600)]
    )
    author_role = StringField(_l("Your role, as shown"), validators=[Length(max=120)])
    job_id = SelectField(_l("Shown on"), choices=[], validate_choice=False)
    photo = FileField(_l("Photo (optional; PNG, JPEG or WebP, at most 5 MB)"))
    video = FileField(_l("Short video file (optional; WebM or MP4, at most 20 MB)"))
    submit = SubmitField(_l("Send for approval"))


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))
