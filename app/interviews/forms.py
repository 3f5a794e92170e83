# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the interview template, question, prompt video and invitation forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.interview import AnswerType

LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("it", "Italiano")]


class TemplateForm(FlaskForm):
    """Name, language, intro and outro of an interview."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(_l("Language of the questions and answers"), choices=LANGUAGE_CHOICES)
    intro_md = TextAreaField(_l("Introduction (Markdown)"), validators=[Length(max=10000)])
    outro_md = TextAreaField(_l("Closing words (Markdown)"), validators=[Length(max=10000)])
    allow_text_accommodation = BooleanField(
        _l("Candidates may ask to answer video questions in writing"), default=True
    )


class QuestionForm(FlaskForm):
    """One question and how it is answered."""

    prompt_text = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])
    answer_type = SelectField(
        _l("Answer"),
        choices=[
            SelectChoice(AnswerType.VIDEO.value, _l("Video")),
            SelectChoice(AnswerType.TEXT.value, _l("Written")),
        ],
        default=AnswerType.VIDEO.value,
    )
    think_seconds = IntegerField(
        _l("Thinking time in seconds (leave empty for unlimited)"),
        validators=[Optional(), NumberRange(min=0, max=600)],
        default=30,
    )
    max_seconds = IntegerField(
        _l("Longest video answer in seconds (10 to 600)"),
        validators=[InputRequired(), NumberRange(min=10, max=600)],
        default=120,
    )
    max_chars = IntegerField(
        _l("Longest written answer in characters (100 to 5000)"),
        validators=[InputRequired(), NumberRange(min=100, max=5000)],
        default=2000,
    )
    retakes = IntegerField(
        _l("Retakes allowed (0 to 5)"), validators=[InputRequired(), NumberRange(min=0, max=5)], default=1
    )
    required = BooleanField(_l("An answer is required"), default=True)
    is_practice = BooleanField(_l("Practice question (asked first, never shown to reviewers)"))


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token."""


class MoveForm(FlaskForm):
    """Move a question up (-1) or down (+1)."""

    offset = IntegerField(validators=[InputRequired(), NumberRange(min=-1, max=1)])


class JobTemplateForm(FlaskForm):
    """Use this interview as a job's default."""

    job_id = SelectField(_l("Job"), coerce=int, validators=[InputRequired()])


class PromptVideoForm(FlaskForm):
    """A prompt (or welcome) video file."""

    video = FileField(_l("Video file (WebM or MP4, at most 200 MB)"), validators=[FileRequired()])


class InviteForm(FlaskForm):
    """Invite one application's candidate."""

    template_id = SelectField(_l("Interview"), coerce=int, validators=[InputRequired()])
    deadline = DateField(_l("Answer by"), validators=[DataRequired()])


class BulkInviteForm(InviteForm):
    """Invite several of a job's candidates."""

    application_ids = SelectMultipleField(
        _l("Candidates"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class DeadlineForm(FlaskForm):
    """A new deadline for an invitation."""

    deadline = DateField(_l("New deadline"), validators=[DataRequired()])
