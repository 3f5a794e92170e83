# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the job, media and testimonial forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from app.postings.labels import EMPLOYMENT_TYPE_LABELS, SALARY_PERIOD_LABELS, WORK_MODEL_LABELS
from app.postings.questions import QUESTION_KIND_LABELS

BLANK_ROWS = 2

LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("it", "Italiano")]


AMOUNT_RANGE = NumberRange(
    min=0, max=9_999_999_999, message=_l("Write an amount between 0 and 9,999,999,999.")
)


def finite_amount(form: Form, field: DecimalField) -> None:
    """Refuse NaN and infinities, which parse as decimals but are no amount."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(str(_l("Write an amount such as 45000.")))


class LocationForm(Form):
    """One row of the locations list (a sub-form: the outer form carries the CSRF token)."""

    city = StringField(_l("City"), validators=[Length(max=120)])
    region = StringField(_l("Region"), validators=[Length(max=120)])
    country = SelectField(_l("Country"), choices=[], validate_choice=False)

    def is_blank(self) -> bool:
        """A row left empty is ignored."""
        return not any((field.data or "").strip() for field in (self.city, self.region, self.country))


class FaqForm(Form):
    """One question and its answer."""

    question = StringField(_l("Question"), validators=[Length(max=300)])
    answer = TextAreaField(_l("Answer"), validators=[Length(max=5000)])

    def is_blank(self) -> bool:
        """A row left empty is ignored."""
        return not ((self.question.data or "").strip() or (self.answer.data or "").strip())


class JobForm(FlaskForm):
    """Everything written about a job."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    team = StringField(_l("Team"), validators=[Length(max=120)])
    employment_type = SelectField(
        _l("Employment type"),
        choices=[SelectChoice(kind.value, label) for kind, label in EMPLOYMENT_TYPE_LABELS.items()],
    )
    work_model = SelectField(
        _l("Work model"),
        choices=[SelectChoice(model.value, label) for model, label in WORK_MODEL_LABELS.items()],
    )
    locations = FieldList(FormField(LocationForm), min_entries=BLANK_ROWS + 1, max_entries=30)
    remote_countries = StringField(
        _l("Countries remote candidates may live in"), validators=[Length(max=1000)]
    )
    remote_time_zones = StringField(_l("Time zones for remote work"), validators=[Length(max=1000)])
    salary_min = DecimalField(
        _l("Salary from"), places=2, validators=[Optional(), finite_amount, AMOUNT_RANGE]
    )
    salary_max = DecimalField(_l("Salary to"), places=2, validators=[Optional(), finite_amount, AMOUNT_RANGE])
    salary_currency = StringField(_l("Currency"), validators=[Length(max=3)])
    salary_period = SelectField(
        _l("Salary period"),
        choices=[SelectChoice("", _l("—"))]
        + [SelectChoice(period.value, label) for period, label in SALARY_PERIOD_LABELS.items()],
    )
    description_md = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    responsibilities_md = TextAreaField(_l("Responsibilities"), validators=[Length(max=20000)])
    requirements_md = TextAreaField(_l("Requirements"), validators=[Length(max=20000)])
    perks_md = TextAreaField(_l("Perks and benefits"), validators=[Length(max=20000)])
    language = SelectField(_l("Language of the posting"), choices=LANGUAGE_CHOICES)
    hiring_manager_id = SelectField(_l("Hiring manager"), choices=[], validate_choice=False)
    valid_through = DateField(_l("Valid through"), validators=[Optional()])
    faqs = FieldList(FormField(FaqForm), min_entries=BLANK_ROWS + 1, max_entries=30)
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save"))

    def add_blank_rows(self) -> None:
        """Leave room to add locations and questions without JavaScript."""
        for rows in (self.locations, self.faqs):
            filled = sum(1 for entry in rows if not entry.form.is_blank())
            while len(rows) < filled + BLANK_ROWS and len(rows) < rows.max_entries:
                rows.append_entry()


class PhotoForm(FlaskForm):
    """A team photo and its description."""

    photo = FileField(_l("Photo (PNG, JPEG or WebP, at most 5 MB)"), validators=[FileRequired()])
    alt_text = StringField(_l("Describe the photo"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Add photo"))


class VideoForm(FlaskForm):
    """A pitch video file and optional captions."""

    video = FileField(_l("Video file (WebM or MP4, at most 200 MB)"))
    captions = FileField(
        _l("Captions (WebVTT .vtt, at most 1 MB)"),
        validators=[
            FileAllowed(["vtt"], _l("Captions must be a WebVTT file (.vtt).")),
            FileSize(1024 * 1024, message=_l("Captions must be at most 1 MB.")),
        ],
    )
    submit = SubmitField(_l("Upload"))


class TestimonialForm(FlaskForm):
    """A colleague's words, written down by staff."""

    employee_id = SelectField(_l("Colleague"), choices=[], validate_choice=False, validators=[DataRequired()])
    job_id = SelectField(_l("Shown on"), choices=[], validate_choice=False)
    quote = TextAreaField(_l("Quote"), validators=[DataRequired(), Length(max=600)])
    author_name = StringField(_l("Name shown"), validators=[Length(max=120)])
    author_role = StringField(_l("Role shown"), validators=[Length(max=120)])
    photo = FileField(_l("Photo (optional; PNG, JPEG or WebP, at most 5 MB)"))
    video = FileField(_l("Short video (optional; WebM or MP4, at most 20 MB)"))
    submit = SubmitField(_l("Add testimonial"))


class MovePhotoForm(FlaskForm):
    """Move a photo one place earlier or later."""

    offset = SelectField(choices=[SelectChoice(-1, "-1"), SelectChoice(1, "1")], coerce=int)


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class QuestionForm(FlaskForm):
    """One custom question of the apply form; choices and knockout answers one per line."""

    label = StringField(_l("Question"), validators=[DataRequired(_l("Write the question.")), Length(max=200)])
    help_text = StringField(_l("Help text (optional)"), validators=[Length(max=300)])
    kind = SelectField(
        _l("Answered with"),
        choices=[SelectChoice(kind.value, label) for kind, label in QUESTION_KIND_LABELS.items()],
    )
    required = BooleanField(_l("An answer is required"))
    choices = TextAreaField(_l("Choices, one per line"), validators=[Length(max=3000)])
    knockout_answers = TextAreaField(_l("Knockout answers, one per line"), validators=[Length(max=3000)])
    yes_no_knockout = SelectField(
        _l("Knockout answer of a yes/no question"),
        choices=[SelectChoice("", _l("None")), SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
    )
