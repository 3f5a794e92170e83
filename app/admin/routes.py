# SPDX-License-Identifier: AGPL-3.0-or-later
"""Organization settings and staff management, for administrators."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.admin import bp, services
from app.admin.forms import (
    ROLE_LABELS,
    BrandingForm,
    ChangeRoleForm,
    ConfirmForm,
    InviteUserForm,
    RetentionForm,
    SecurityForm,
)
from app.auth.decorators import admin_required, recent_authentication_required
from app.core import mail, outbox
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.forms import attach_error, require_valid
from app.core.storage.stored_files import delete_files_after_commit
from app.core.urls import public_url
from app.models import User
from app.organizations import services as organizations
from app.retention import services as retention_services


def send_invitation(actor: User, user: User, token: str) -> None:
    """Mail the invitation link (it leaves after the commit)."""
    mail.send_mail(
        to=user.email,
        subject=_l(
            "%(name)s invited you to %(organization)s on Openround",
            name=actor.name,
            organization=actor.organization.name,
        ),
        template="invitation",
        organization=actor.organization,
        inviter=actor,
        user=user,
        link=public_url("auth.accept_invitation", token=token),
        expires_in_days=current_app.config["INVITE_TTL"].days,
    )


def render_users(invite_form: InviteUserForm | None = None, status: int = 200):
    """The colleagues page, with the invitation form (possibly carrying errors)."""
    actor = current_user._get_current_object()
    return render_template(
        "admin/users.html",
        members=services.list_members(actor),
        pending={
            invitation.user.id: invitation
            for invitation in services.pending_invitations(actor.organization_id)
        },
        invite_form=invite_form or InviteUserForm(),
        role_form=ChangeRoleForm(),
        confirm_form=ConfirmForm(),
    ), status


@bp.get("/users")
@admin_required
def users():
    """Everyone in the organization, pending invitations and the invite form."""
    return render_users()


@bp.post("/users/invite")
@admin_required
def invite():
    """Invite a colleague by e-mail."""
    form = InviteUserForm()
    if not form.validate_on_submit():
        return render_users(form, 400)
    actor = current_user._get_current_object()
    try:
        user, token = services.invite_user(
            actor,
            email=form.email.data,
            name=form.name.data,
            role=services.parse_role(form.role.data),
            ttl=current_app.config["INVITE_TTL"],
        )
    except DomainError as error:
        attach_error(form, error)
        return render_users(form, error.status_code)
    send_invitation(actor, user, token)
    db.session.commit()
    flash(_("Invitation sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/resend")
@admin_required
def resend_invitation(user_id: int):
    """Send a fresh invitation link."""
    require_valid(ConfirmForm())
    actor = current_user._get_current_object()
    user, token = services.resend_invitation(actor, user_id, current_app.config["INVITE_TTL"])
    send_invitation(actor, user, token)
    db.session.commit()
    flash(_("A new invitation was sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int):
    """Give a colleague another role."""
    form = require_valid(ChangeRoleForm())
    user = services.change_role(
        current_user._get_current_object(), user_id, services.parse_role(form.role.data)
    )
    db.session.commit()
    flash(_("%(name)s is now %(role)s.", name=user.name, role=ROLE_LABELS[user.role]), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def deactivate(user_id: int):
    """Stop a colleague from signing in."""
    require_valid(ConfirmForm())
    user = services.deactivate_user(current_user._get_current_object(), user_id)
    db.session.commit()
    flash(_("%(name)s can no longer sign in.", name=user.name), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-mfa")
@admin_required
@recent_authentication_required("admin.users")
def reset_mfa(user_id: int):
    """Remove a colleague's second factor (lost phone and recovery codes)."""
    require_valid(ConfirmForm())
    actor = current_user._get_current_object()
    user = services.reset_member_mfa(actor, services.get_member(actor, user_id))
    db.session.commit()
    flash(
        _("%(name)s can sign in with their password and set up two-step sign-in again.", name=user.name),
        "success",
    )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
@admin_required
def reactivate(user_id: int):
    """Let a colleague sign in again."""
    require_valid(ConfirmForm())
    user = services.reactivate_user(current_user._get_current_object(), user_id)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.name), "success")
    return redirect(url_for("admin.users"))


@bp.route("/organization", methods=["GET", "POST"])
@admin_required
def organization():
    """Branding: name, colours, language and logo."""
    actor = current_user._get_current_object()
    form = BrandingForm(obj=actor.organization)
    if form.validate_on_submit():
        try:
            replaced = _save_branding(actor, form)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            delete_files_after_commit(replaced)
            db.session.commit()
            flash(_("Organization settings saved."), "success")
            return redirect(url_for("admin.organization"))
    return render_organization(form, status=400 if form.errors else 200)


@bp.post("/organization/retention")
@admin_required
def retention():
    """How long candidates' data is kept, and whether it is then deleted or anonymized."""
    actor = current_user._get_current_object()
    form = RetentionForm()
    if form.validate_on_submit():
        try:
            retention_services.update_retention_policy(
                actor,
                retention_days=form.retention_days.data,
                talent_pool_retention_days=form.talent_pool_retention_days.data,
                action=form.retention_action.data,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Retention settings saved."), "success")
            return redirect(url_for("admin.organization"))
    return render_organization(retention_form=form, status=400)


@bp.post("/organization/security")
@admin_required
@recent_authentication_required("admin.organization")
def security():
    """Who must use two-step sign-in, and which internal domains staff addresses may use."""
    form = SecurityForm()
    if form.validate_on_submit():
        try:
            organizations.update_security_settings(
                current_user._get_current_object(),
                mfa_policy=form.mfa_policy.data,
                staff_email_domains=form.staff_email_domains.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Security settings saved."), "success")
            return redirect(url_for("admin.organization"))
    return render_organization(security_form=form, status=400)


def render_organization(
    branding_form: BrandingForm | None = None,
    retention_form: RetentionForm | None = None,
    security_form: SecurityForm | None = None,
    status: int = 200,
):
    """The organization page with its three forms (any possibly carrying errors)."""
    organization = current_user.organization
    return render_template(
        "admin/organization.html",
        form=branding_form or BrandingForm(formdata=None, obj=organization),
        retention_form=retention_form or RetentionForm(formdata=None, obj=organization),
        security_form=security_form or SecurityForm(formdata=None, obj=organization),
    ), status


def _save_branding(actor: User, form: BrandingForm) -> list[str]:
    """Apply the form; returns the keys of replaced files, to delete after the commit."""
    organizations.update_branding(
        actor,
        name=form.name.data,
        primary_color=form.primary_color.data,
        accent_color=form.accent_color.data,
        default_language=form.default_language.data,
    )
    organizations.update_career_intro(actor, form.career_intro_md.data or "")
    replaced = []
    if form.logo.data:
        replaced.append(organizations.replace_logo(actor, form.logo.data.stream))
    if form.career_video.data:
        replaced.append(organizations.replace_career_video(actor, form.career_video.data.stream))
    elif form.remove_career_video.data:
        replaced.append(organizations.remove_career_video(actor))
    return [key for key in replaced if key]


@bp.get("/deliveries")
@admin_required
def deliveries():
    """E-mails of the organization that failed or wait too long, with a retry button."""
    stuck_after = timedelta(minutes=current_app.config["OUTBOX_STUCK_MINUTES"])
    messages = outbox.list_problem_messages(current_user.organization_id, stuck_after)
    return render_template("admin/deliveries.html", messages=messages, retry_form=ConfirmForm())


@bp.post("/deliveries/<int:message_id>/retry")
@admin_required
def retry_delivery(message_id: int):
    """Try a failed or waiting delivery again now."""
    require_valid(ConfirmForm())
    outbox.retry_message(message_id, current_user.organization_id)
    db.session.commit()
    flash(_("The delivery will be tried again in a moment."), "success")
    return redirect(url_for("admin.deliveries"))
