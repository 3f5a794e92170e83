# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the advocacy forms: inviting and importing employees, referring, share texts, points."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.applications.forms import CV_ACCEPT, ContactFields
from app.auth.emails import StaffEmail
from app.core.forms import email_field, strip_whitespace
from app.models import LeaderboardVisibility

LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("it", "Italiano")]
OPTIONAL_LANGUAGE_CHOICES = [SelectChoice("", _l("The organization's language")), *LANGUAGE_CHOICES]
VISIBILITY_CHOICES = [
    SelectChoice(LeaderboardVisibility.NAMED.value, _l("With my name")),
    SelectChoice(LeaderboardVisibility.ANONYMOUS.value, _l("Anonymously")),
    SelectChoice(LeaderboardVisibility.HIDDEN.value, _l("Not at all")),
]


class InviteEmployeeForm(FlaskForm):
    """One employee to invite as an ambassador."""

    name = StringField(_l("Name"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=120)])
    email = email_field(required=_l("Write their e-mail address."), rule=StaffEmail(), autocomplete="off")
    language = SelectField(_l("Language"), choices=OPTIONAL_LANGUAGE_CHOICES, default="")
    invite = SubmitField(_l("Send invitation"))


class ImportEmployeesForm(FlaskForm):
    """A CSV file of employees: name, e-mail and, optionally, language."""

    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        render_kw={"accept": ".csv,text/csv,text/plain"},
    )
    upload = SubmitField(_l("Import and send invitations"))


class LeaderboardForm(FlaskForm):
    """How the employee appears on the leaderboard."""

    leaderboard = RadioField(_l("Show me on the leaderboard"), choices=VISIBILITY_CHOICES)
    save_leaderboard = SubmitField(_l("Save"))


class ReferralForm(FlaskForm):
    """Someone the employee recommends for a job."""

    job_id = SelectField(_l("Job"), coerce=int, validators=[InputRequired(_l("Choose a job."))])
    name = StringField(
        _l("Their name"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Write their name.")), Length(max=120)],
    )
    email = email_field(_l("Their e-mail"), required=_l("Write their e-mail address."), autocomplete="off")
    reason = TextAreaField(
        _l("Why you recommend them"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Say in a few words why you recommend them.")), Length(max=2000)],
        render_kw={"rows": 4},
    )
    language = SelectField(_l("Language of the e-mail they receive"), choices=LANGUAGE_CHOICES)
    refer = SubmitField(_l("Send the recommendation"))


class ShareTextForm(FlaskForm):
    """The ready-made text for one job (or every job) in one language."""

    job_id = SelectField(_l("For"), coerce=int, default=0)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 4})
    save_text = SubmitField(_l("Save text"))


class PointsForm(FlaskForm):
    """Points per action."""

    points_share = IntegerField(_l("Points per share"), validators=[InputRequired(), NumberRange(0, 1000)])
    points_click = IntegerField(
        _l("Points per person who clicks"), validators=[InputRequired(), NumberRange(0, 1000)]
    )
    points_application = IntegerField(
        _l("Points per application"), validators=[InputRequired(), NumberRange(0, 1000)]
    )
    points_hire = IntegerField(_l("Points per hire"), validators=[InputRequired(), NumberRange(0, 1000)])
    save_points = SubmitField(_l("Save points"))


class ReferralConfirmForm(ContactFields):
    """What a referred person gives to become a candidate (the apply form's contact fields)."""

    email = email_field()
    cv = FileField(_l("CV (optional: PDF, DOCX or ODT, at most 10 MB)"), render_kw={"accept": CV_ACCEPT})
    cover_note = TextAreaField(_l("A note to the team (optional)"), validators=[Optional(), Length(max=5000)])
    privacy = BooleanField(
        _l("I have read the privacy notice and agree that my application is processed as it describes."),
        validators=[DataRequired(_l("Agree to the privacy notice so that we can process your application."))],
    )
    talent_pool = BooleanField(
        _l("Keep me in the talent pool and let me know about other jobs that may suit me (optional).")
    )
    confirm = SubmitField(_l("Yes, consider me for this job"))


class DeclineForm(FlaskForm):
    """Only the CSRF token: the referred person says no."""

    decline = SubmitField(_l("No thanks, delete my details"))
