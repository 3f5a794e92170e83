# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the administration forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from app.auth.emails import StaffEmail
from app.auth.mfa import MfaPolicy
from app.core.forms import email_field
from app.models import Role
from app.retention.services import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, RetentionAction

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.RECRUITER: _l("Recruiter"),
    Role.MANAGER: _l("Hiring manager"),
    Role.EMPLOYEE: _l("Employee"),
}
ROLE_CHOICES = [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]
LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("it", "Italiano")]
RETENTION_ACTION_CHOICES = [
    SelectChoice(RetentionAction.DELETE.value, _l("Delete all their data")),
    SelectChoice(
        RetentionAction.ANONYMIZE.value,
        _l("Erase their personal data, keep anonymous applications for statistics"),
    ),
]
HEX_COLOR = Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Write the colour as #rrggbb."))


class InviteUserForm(FlaskForm):
    """Who to invite and with which role."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = email_field(required=_l("Write their e-mail address."), rule=StaffEmail(), autocomplete="off")
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.RECRUITER.value)
    submit = SubmitField(_l("Send invitation"))


class ChangeRoleForm(FlaskForm):
    """A new role for one colleague."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    submit = SubmitField(_l("Change role"))


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class BrandingForm(FlaskForm):
    """Name, colours, language and logo of the organization."""

    name = StringField(_l("Organization name"), validators=[DataRequired(), Length(max=120)])
    primary_color = StringField(_l("Primary colour"), validators=[DataRequired(), HEX_COLOR])
    accent_color = StringField(_l("Accent colour"), validators=[DataRequired(), HEX_COLOR])
    default_language = SelectField(_l("Default language"), choices=LANGUAGE_CHOICES)
    logo = FileField(
        _l("Logo (PNG, JPEG or WebP, at most 2 MB)"),
        validators=[
            FileAllowed(["png", "jpg", "jpeg", "webp"], _l("The logo must be a PNG, JPEG or WebP image."))
        ],
    )
    career_intro_md = TextAreaField(
        _l("Career site introduction (Markdown)"), validators=[Length(max=5000)], render_kw={"rows": 6}
    )
    career_video = FileField(
        _l("Introduction video (WebM or MP4, at most 20 MB)"),
        validators=[FileAllowed(["webm", "mp4"], _l("The video must be a WebM or MP4 file."))],
    )
    remove_career_video = BooleanField(_l("Remove the introduction video"))
    submit = SubmitField(_l("Save"))


class RetentionForm(FlaskForm):
    """How long candidates' data is kept, and what happens to it then."""

    retention_days = IntegerField(
        _l("Keep candidates' data for (days)"),
        validators=[InputRequired()],
        description=_l(
            "Between %(min)d and %(max)d days after their last application ended.",
            min=MIN_RETENTION_DAYS,
            max=MAX_RETENTION_DAYS,
        ),
        render_kw={"min": MIN_RETENTION_DAYS, "max": MAX_RETENTION_DAYS},
    )
    talent_pool_retention_days = IntegerField(
        _l("Keep the talent pool's data for (days)"),
        validators=[InputRequired()],
        description=_l(
            "For candidates who agreed to stay in your talent pool; at least as long as the period above."
        ),
        render_kw={"min": MIN_RETENTION_DAYS, "max": MAX_RETENTION_DAYS},
    )
    retention_action = SelectField(_l("Then"), choices=RETENTION_ACTION_CHOICES)
    save_retention = SubmitField(_l("Save retention settings"))


MFA_POLICY_CHOICES = [
    SelectChoice(MfaPolicy.OFF, _l("Nobody: each person chooses")),
    SelectChoice(MfaPolicy.ADMINS, _l("Administrators")),
    SelectChoice(MfaPolicy.EVERYONE, _l("Everyone")),
]


class SecurityForm(FlaskForm):
    """Who must use two-step sign-in, and the internal domains allowed for staff addresses."""

    mfa_policy = SelectField(_l("Two-step sign-in is required for"), choices=MFA_POLICY_CHOICES)
    staff_email_domains = TextAreaField(
        _l("Internal e-mail domains (one per line)"),
        validators=[Length(max=2000)],
        description=_l(
            "Only for intranets: domains such as corp.local that are not on the public internet but that your colleagues' addresses use. Public domains need no listing."
        ),
        render_kw={"rows": 3},
    )
    save_security = SubmitField(_l("Save security settings"))
