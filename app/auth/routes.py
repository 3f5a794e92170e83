"""Sign in and out, reset a forgotten password, accept an invitation, change password."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp, services
from app.auth.forms import (
    AcceptInvitationForm,
    AccountForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
)
from app.auth.throttle import login_blocked, record_login_failure
from app.core import mail
from app.core.errors import Invalid
from app.core.extensions import db, limiter
from app.core.forms import attach_error
from app.core.security import is_safe_redirect
from app.core.urls import public_url
from app.models import TokenPurpose, User


def sign_in(user: User) -> None:
    """Start a fresh server-side session for ``user`` in this browser."""
    session.clear()
    services.start_session(
        user,
        user_agent=request.user_agent.string,
        lifetime=current_app.config["STAFF_SESSION_LIFETIME"],
    )
    session.permanent = True
    login_user(user)


def redirect_after_login():
    """Back to ``?next=`` when it points inside this site, else the dashboard."""
    target = request.args.get("next")
    if is_safe_redirect(target, request.host_url):
        return redirect(target)
    return redirect(url_for("dashboard.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password; repeated failures are throttled."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        ip = request.remote_addr or "unknown"
        if login_blocked(form.email.data, ip):
            abort(429)
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            record_login_failure(form.email.data, ip)
            form.form_errors.append(_("The e-mail or password is not correct."))
            return render_template("auth/login.html", form=form), 401
        sign_in(user)
        db.session.commit()
        return redirect_after_login()
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    """End this session on the server, then forget the cookie."""
    services.revoke_session(current_user.current_session)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password():
    """Send a reset link; the answer never reveals whether the address is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        found = services.request_password_reset(form.email.data, current_app.config["PASSWORD_RESET_TTL"])
        if found:
            user, token = found
            mail.send_mail(
                to=user.email,
                subject=_l("Reset your Openround password"),
                template="password_reset",
                organization=user.organization,
                locale=user.language,
                user=user,
                link=public_url("auth.reset_password", token=token),
            )
        db.session.commit()
        flash(_("If an account uses this address, a link to choose a new password is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a single-use link."""
    services.peek_token(token, TokenPurpose.PASSWORD_RESET)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data, form.confirm.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password was changed. Sign in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 400 if form.errors else 200


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """An invited colleague sets a password and is signed in."""
    invited = services.peek_token(token, TokenPurpose.INVITE).user
    form = AcceptInvitationForm(name=invited.name)
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.name.data, form.password.data, form.confirm.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            sign_in(user)
            db.session.commit()
            flash(
                _("Welcome to %(organization)s on Openround.", organization=user.organization.name), "success"
            )
            return redirect(url_for("dashboard.index"))
    return render_template(
        "auth/accept_invitation.html", form=form, invited=invited
    ), 400 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = current_user._get_current_object()
            services.change_password(user, form.current_password.data, form.password.data, form.confirm.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            sign_in(user)
            db.session.commit()
            flash(_("Your password was changed. Other devices have been signed out."), "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """One's own name and language."""
    user = current_user._get_current_object()
    form = AccountForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_profile(user, name=form.name.data, language=form.language.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your settings were saved."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), 400 if form.errors else 200
