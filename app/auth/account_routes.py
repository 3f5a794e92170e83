# SPDX-License-Identifier: AGPL-3.0-or-later
"""One's own sign-in security: two-step sign-in, recovery codes, re-authentication, active sessions."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.auth import bp, mfa, services, throttle
from app.auth.decorators import recent_authentication_required
from app.auth.forms import ButtonForm, EnableMfaForm, ReauthenticateForm
from app.core.errors import DomainError, Invalid
from app.core.extensions import db
from app.core.forms import attach_error, require_valid
from app.core.security import is_safe_redirect

# What a person who must enrol in two-step sign-in may still open before doing so.
ENROLMENT_ENDPOINTS = frozenset(
    {"auth.mfa_setup", "auth.reauthenticate", "auth.logout", "auth.login", "auth.second_factor", "static"}
)


@bp.before_app_request
def keep_staff_sessions_honest():
    """Note session use (for the idle timeout) and send people who must enrol to the enrolment page."""
    # Requests without a session cookie (public pages, the widget, feeds) are left alone, so
    # their responses do not start to vary by cookie.
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return None
    if request.endpoint is None or request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if services.touch_session(current_user.current_session):
        db.session.commit()  # only the session's last-seen time is pending at this point
    if mfa.enrolment_required(current_user) and request.endpoint not in ENROLMENT_ENDPOINTS:
        return redirect(url_for("auth.mfa_setup"))
    return None


@bp.get("/account/security")
@login_required
def security():
    """Two-step sign-in status, recovery codes left, and a way to the active sessions."""
    user = current_user._get_current_object()
    return render_template(
        "auth/security.html",
        required=mfa.mfa_required(user),
        recovery_left=mfa.remaining_recovery_codes(user) if user.mfa_enabled else 0,
        button_form=ButtonForm(),
    )


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
def reauthenticate():
    """Prove again who one is before changing security settings."""
    user = current_user._get_current_object()
    form = ReauthenticateForm()
    if form.validate_on_submit():
        if throttle.second_factor_blocked(user.id):
            abort(429)
        try:
            services.reauthenticate(user, user.current_session, form.password.data, form.code.data)
        except Invalid as error:
            throttle.record_second_factor_failure(user.id)
            attach_error(form, error)
        else:
            db.session.commit()
            target = request.args.get("next")
            return redirect(
                target if is_safe_redirect(target, request.host_url) else url_for("auth.security")
            )
    return render_template("auth/reauthenticate.html", form=form), 400 if form.errors else 200


@bp.route("/account/mfa/setup", methods=["GET", "POST"])
@recent_authentication_required()
def mfa_setup():
    """Add an authenticator app: scan the QR code (or type the key), then confirm with a code."""
    user = current_user._get_current_object()
    if user.mfa_enabled:
        return redirect(url_for("auth.security"))
    form = EnableMfaForm()
    if form.validate_on_submit():
        try:
            codes = mfa.confirm_enrolment(user, form.code.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Two-step sign-in is on."), "success")
            return render_template("auth/recovery_codes.html", codes=codes)
    secret = mfa.begin_enrolment(user)
    db.session.commit()
    uri = mfa.provisioning_uri(user, secret)
    return render_template(
        "auth/mfa_setup.html",
        form=form,
        secret=secret,
        qr_svg=mfa.qr_code_svg(uri),
        required=mfa.mfa_required(user),
    ), 400 if form.errors else 200


@bp.post("/account/mfa/recovery-codes")
@recent_authentication_required()
def mfa_recovery_codes():
    """Replace the recovery codes; the new ones are shown once."""
    require_valid(ButtonForm())
    codes = mfa.regenerate_recovery_codes(current_user._get_current_object())
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.post("/account/mfa/disable")
@recent_authentication_required()
def mfa_disable():
    """Turn two-step sign-in off (not allowed when the organization requires it)."""
    require_valid(ButtonForm())
    mfa.disable_mfa(current_user._get_current_object())
    db.session.commit()
    flash(_("Two-step sign-in is off."), "success")
    return redirect(url_for("auth.security"))


@bp.get("/account/sessions")
@login_required
def sessions():
    """Where one is signed in: when, from which browser and network, last used when."""
    user = current_user._get_current_object()
    idle_timeout = current_app.config["SESSION_IDLE_TIMEOUT"]
    return render_template(
        "auth/sessions.html",
        sessions=services.list_active_sessions(user, idle_timeout),
        current=user.current_session,
        button_form=ButtonForm(),
        idle_minutes=int(idle_timeout.total_seconds() // 60),
        lifetime_hours=int(current_app.config["STAFF_SESSION_LIFETIME"].total_seconds() // 3600),
    )


@bp.post("/account/sessions/<int:session_id>/end")
@recent_authentication_required("auth.sessions")
def end_session(session_id: int):
    """End one of one's own sessions (ending this one signs out here)."""
    require_valid(ButtonForm())
    user = current_user._get_current_object()
    ended = services.end_own_session(user, session_id)
    db.session.commit()
    if ended.id == user.current_session.id:
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.login"))
    flash(_("That session has ended."), "success")
    return redirect(url_for("auth.sessions"))


@bp.post("/account/sessions/end-others")
@recent_authentication_required("auth.sessions")
def end_other_sessions():
    """End every session except this one."""
    require_valid(ButtonForm())
    user = current_user._get_current_object()
    count = services.end_other_sessions(user, user.current_session)
    db.session.commit()
    flash(_("Other sessions ended: %(count)d.", count=count), "success")
    return redirect(url_for("auth.sessions"))
