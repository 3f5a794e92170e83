# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sign in and out, reset a forgotten password, accept an invitation, change password."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp, mfa, services, throttle
from app.auth.decorators import recent_authentication_required
from app.auth.forms import (
    AcceptInvitationForm,
    AccountForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    SecondFactorForm,
    UnlockForm,
)
from app.auth.throttle import LoginVerdict
from app.core import mail
from app.core.errors import Invalid
from app.core.extensions import db, limiter
from app.core.forms import attach_error, require_valid
from app.core.security import is_safe_redirect
from app.core.urls import public_url
from app.models import TokenPurpose, User

PENDING_KEY = "mfa_pending"
# How long the second step may wait after the password was accepted.
PENDING_SECONDS = 300


def sign_in(user: User) -> None:
    """Start a fresh server-side session for ``user`` in this browser."""
    session.clear()
    services.start_session(
        user,
        user_agent=request.user_agent.string,
        lifetime=current_app.config["STAFF_SESSION_LIFETIME"],
        ip_network=services.coarse_network(request.remote_addr),
    )
    session.permanent = True
    login_user(user)


def safe_next(target: str | None) -> str | None:
    """``target`` when it points inside this site, else None."""
    return target if is_safe_redirect(target, request.host_url) else None


def redirect_after_login(target: str | None = None):
    """Back to ``?next=`` when it points inside this site, else the dashboard."""
    return redirect(safe_next(target or request.args.get("next")) or url_for("dashboard.index"))


def send_unlock_mail(user: User) -> None:
    """Tell the owner their account was locked by failed sign-ins, with a link that unlocks it."""
    mail.send_mail(
        to=user.email,
        subject=_l("Your Openround account was locked after failed sign-ins"),
        template="account_unlock",
        organization=user.organization,
        locale=user.language,
        user=user,
        link=public_url("auth.unlock", token=throttle.unlock_token(user.email)),
        valid_hours=int(current_app.config["LOGIN_UNLOCK_TTL"].total_seconds() // 3600),
    )


def unlocked_account() -> str | None:
    """The account this browser was unlocked for by an e-mailed link, if any."""
    return throttle.read_unlocked_browser_cookie(
        request.cookies.get(throttle.UNLOCK_COOKIE), current_app.config["LOGIN_UNLOCK_TTL"]
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password; a second step follows for accounts with two-step sign-in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email, ip = form.email.data, request.remote_addr
        verdict = throttle.check_login(email, ip, unlocked_account())
        if verdict is LoginVerdict.ADDRESS_BLOCKED:
            abort(429)
        if verdict is LoginVerdict.ACCOUNT_LOCKED:
            form.form_errors.append(
                _(
                    "This account is locked after many failed sign-ins. Its owner received an e-mail with a link that unlocks it."
                )
            )
            return render_template("auth/login.html", form=form), 423
        user = services.authenticate(email, form.password.data)
        if user is None:
            count_failed_sign_in(email, ip)
            form.form_errors.append(_("The e-mail or password is not correct."))
            return render_template("auth/login.html", form=form), 401
        throttle.record_login_success(email, ip)
        if user.mfa_enabled:
            return await_second_factor(user)
        sign_in(user)
        db.session.commit()
        return redirect_after_login()
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


def count_failed_sign_in(email: str, ip: str | None) -> None:
    """Count a failure; when it locks the account, mail the owner (if there is one) an unlock link."""
    if throttle.record_login_failure(email, ip):
        owner = services.find_user_by_email(email)
        if owner is not None and owner.active:
            send_unlock_mail(owner)
            db.session.commit()


def await_second_factor(user: User):
    """Remember in this browser that the password was right, then ask for the code."""
    db.session.commit()  # a rehashed password is kept even if the second step never comes
    session[PENDING_KEY] = {
        "user": user.id,
        "at": int(datetime.now(UTC).timestamp()),
        "next": safe_next(request.args.get("next")),
    }
    return redirect(url_for("auth.second_factor"))


def pending_user() -> tuple[User, str | None] | None:
    """The account whose password was just accepted in this browser, still awaiting its code."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if datetime.now(UTC).timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or not user.mfa_enabled:
        return None
    return user, pending.get("next")


@bp.route("/login/verify", methods=["GET", "POST"])
def second_factor():
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    found = pending_user()
    if found is None:
        flash(_("Sign in again, please."), "info")
        return redirect(url_for("auth.login"))
    user, target = found
    form = SecondFactorForm()
    if form.validate_on_submit():
        if throttle.second_factor_blocked(user.id):
            session.pop(PENDING_KEY, None)
            abort(429)
        if mfa.verify_second_factor(user, form.code.data):
            sign_in(user)
            db.session.commit()
            return redirect_after_login(target)
        throttle.record_second_factor_failure(user.id)
        form.code.errors.append(_("That code is not right. Try the current one, or a recovery code."))
        return render_template("auth/second_factor.html", form=form), 401
    return render_template("auth/second_factor.html", form=form), 400 if form.errors else 200


@bp.route("/login/unlock/<token>", methods=["GET", "POST"])
def unlock(token: str):
    """The owner's e-mailed link: lifts the lock on their account and lets this browser sign in."""
    ttl = current_app.config["LOGIN_UNLOCK_TTL"]
    email = throttle.read_unlock_token(token, ttl)
    if email is None:
        abort(410)
    form = UnlockForm()
    if request.method == "POST":
        require_valid(form)
        throttle.unlock_account(email, request.remote_addr)
        flash(_("Your account is unlocked. Sign in, please."), "success")
        response = make_response(redirect(url_for("auth.login")))
        response.set_cookie(
            throttle.UNLOCK_COOKIE,
            throttle.unlocked_browser_cookie(email),
            max_age=int(ttl.total_seconds()),
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            samesite="Lax",
            path=url_for("auth.login"),
        )
        return response
    return render_template("auth/unlock.html", form=form)


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
@recent_authentication_required()
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
