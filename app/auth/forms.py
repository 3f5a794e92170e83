# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the authentication forms (rules live in services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.auth.emails import StaffEmail
from app.auth.passwords import MAX_LENGTH
from app.core.forms import email_field


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = email_field(rule=StaffEmail())
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(FlaskForm):
    """Where to send a reset link."""

    email = email_field(rule=StaffEmail())
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[DataRequired()])
    submit = SubmitField(_l("Save password"))


class AcceptInvitationForm(NewPasswordForm):
    """The invited person's name and first password."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Create my account"))


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change password"))


class AccountForm(FlaskForm):
    """The signed-in person's own name and language."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    language = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("The organization's language")),
            SelectChoice("en", "English"),
            SelectChoice("it", "Italiano"),
        ],
    )
    submit = SubmitField(_l("Save"))


class SecondFactorForm(FlaskForm):
    """A code from the authenticator app, or one of the recovery codes."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Continue"))


class EnableMfaForm(FlaskForm):
    """The first code from the newly added authenticator app."""

    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Turn on two-step sign-in"))


class ReauthenticateForm(FlaskForm):
    """The password again, and a code when two-step sign-in is on."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[Optional(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code"},
    )
    submit = SubmitField(_l("Confirm"))


class UnlockForm(FlaskForm):
    """A button that lifts the lock (a POST, so that mail scanners opening links do not)."""

    submit = SubmitField(_l("Unlock my account"))


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))
