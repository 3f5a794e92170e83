# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff pages of advocacy: the ambassador's home, referring, share texts, points, import and report."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import login_required
from wtforms import SelectChoice

from app.advocacy import ambassadors as ambassador_rules
from app.advocacy import bp, referrals, reports, services, share_texts
from app.advocacy import points as scoring
from app.advocacy.forms import (
    ImportEmployeesForm,
    InviteEmployeeForm,
    LeaderboardForm,
    PointsForm,
    ReferralForm,
    ShareTextForm,
)
from app.auth.decorators import actor, admin_required, roles_required
from app.core.errors import DomainError, Invalid
from app.core.extensions import db
from app.core.forms import attach_error
from app.models import Job, Role

report_required = roles_required(Role.ADMIN, Role.RECRUITER)


# -- the ambassador's home --------------------------------------------------------------------


def job_choices(jobs: list[Job]) -> list[SelectChoice]:
    """The open jobs as choices of the referral form."""
    return [SelectChoice(job.id, job.title) for job in jobs]


def render_home(referral_form: ReferralForm | None = None, status: int = 200):
    """The home: figures, jobs to share, the referral form, the referrals and the leaderboard."""
    user = actor()
    organization = user.organization
    ambassador = services.ensure_ambassador(user)
    jobs = services.open_jobs(organization)
    shares = share_texts.job_shares(ambassador, organization, jobs)
    db.session.commit()  # the ambassador record and links are created on first visit
    if referral_form is None:
        referral_form = ReferralForm(formdata=None, language=organization.default_language)
        preselected = request.args.get("refer", type=int)
        if preselected:
            referral_form.job_id.data = preselected
    referral_form.job_id.choices = job_choices(jobs)
    stats = scoring.ambassador_stats(organization.id, [ambassador])[ambassador.id]
    return render_template(
        "advocacy/home.html",
        ambassador=ambassador,
        stats=stats,
        weights=scoring.point_weights(organization.id),
        shares=shares,
        referral_form=referral_form,
        referrals=referrals.my_referrals(user),
        leaderboard=scoring.build_leaderboard(organization.id, ambassador),
        leaderboard_form=LeaderboardForm(formdata=None, leaderboard=ambassador.leaderboard.value),
        referral_days=referrals.REFERRAL_TTL.days,
    ), status


@bp.get("/")
@login_required
def home():
    """Jobs to share with personal links, points, referrals and the leaderboard."""
    return render_home()


@bp.post("/shares")
@login_required
def record_share():
    """A share button was used (sent by advocacy.js with the CSRF header); 204, or JSON saying what is wrong."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        payload = request.form
    try:
        job_id = int(payload.get("job", 0))
    except (TypeError, ValueError):
        raise Invalid(str(_l("Say which job was shared.")), field="job") from None
    services.record_share(actor(), job_id, str(payload.get("channel", "")))
    db.session.commit()
    return "", 204


@bp.post("/leaderboard")
@login_required
def leaderboard():
    """Choose how to appear on the leaderboard."""
    form = LeaderboardForm()
    if not form.validate_on_submit():
        flash(_("Choose how you appear on the leaderboard."), "error")
        return redirect(url_for(".home", _anchor="leaderboard"))
    services.set_leaderboard_visibility(actor(), form.leaderboard.data)
    db.session.commit()
    flash(_("Your leaderboard choice is saved."), "success")
    return redirect(url_for(".home", _anchor="leaderboard"))


@bp.post("/referrals")
@login_required
def refer():
    """Recommend someone for a job; they get an e-mail and decide."""
    form = ReferralForm()
    form.job_id.choices = job_choices(services.open_jobs(actor().organization))
    if not form.validate_on_submit():
        return render_home(form, 400)
    try:
        referral, token = referrals.refer_candidate(
            actor(),
            job_id=form.job_id.data,
            name=form.name.data,
            email=form.email.data,
            reason=form.reason.data or "",
            language=form.language.data,
        )
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_home(form, error.status_code)
    referrals.send_referral_notice(referral, token, actor())
    db.session.commit()
    flash(
        _(
            "Thank you! We asked %(name)s to confirm. Until they do, they are not a candidate.",
            name=form.name.data,
        ),
        "success",
    )
    return redirect(url_for(".home", _anchor="referrals"))


# -- report -----------------------------------------------------------------------------------


@bp.get("/report")
@report_required
def report():
    """Clicks, views, applications and hires per job, ambassador and channel (first and last touch)."""
    organization_id = actor().organization_id
    period = request.args.get("period", reports.DEFAULT_PERIOD)
    return render_template(
        "advocacy/report.html",
        report=reports.build_report(organization_id, period),
        periods=reports.PERIOD_LABELS,
        confirmed=referrals.confirmed_referrals(organization_id),
        waiting=referrals.count_waiting_referrals(organization_id),
    )


# -- share texts ------------------------------------------------------------------------------


def render_texts(form: ShareTextForm | None = None, status: int = 200):
    """The share texts page, with its form (possibly carrying errors)."""
    user = actor()
    jobs = services.open_jobs(user.organization)
    form = form or ShareTextForm(formdata=None, language=user.organization.default_language)
    form.job_id.choices = [SelectChoice(0, _("Every job (default)")), *job_choices(jobs)]
    texts = share_texts.list_share_texts(user)
    return render_template(
        "advocacy/texts.html",
        form=form,
        texts=texts,
        placeholders=share_texts.PLACEHOLDERS,
        builtin={language: share_texts.default_share_text(language) for language in ("en", "it")},
    ), status


@bp.get("/texts")
@report_required
def texts():
    """The organization's ready-made share texts."""
    user = actor()
    form = None
    job_id = request.args.get("job", type=int)
    language = request.args.get("language")
    if job_id is not None or language:
        form = ShareTextForm(formdata=None, job_id=job_id or 0, language=language or "en")
        for text in share_texts.list_share_texts(user):
            if (text.job_id or 0) == (job_id or 0) and text.language == form.language.data:
                form.body.data = text.body
    return render_texts(form)


@bp.post("/texts")
@report_required
def save_text():
    """Write, change or (with an empty text) remove a share text."""
    form = ShareTextForm()
    form.job_id.choices = [SelectChoice(0, ""), *job_choices(services.open_jobs(actor().organization))]
    if not form.validate_on_submit():
        return render_texts(form, 400)
    try:
        share_texts.save_share_text(
            actor(), job_id=form.job_id.data or None, language=form.language.data, body=form.body.data or ""
        )
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_texts(form, error.status_code)
    db.session.commit()
    flash(_("Share text saved."), "success")
    return redirect(url_for(".texts"))


# -- ambassadors: invite, import, points ------------------------------------------------------


def render_ambassadors(
    invite_form: InviteEmployeeForm | None = None,
    import_form: ImportEmployeesForm | None = None,
    points_form: PointsForm | None = None,
    import_errors: list | None = None,
    status: int = 200,
):
    """The ambassadors page: invite one, import many, points, and who the ambassadors are."""
    user = actor()
    weights = scoring.point_weights(user.organization_id)
    ambassadors = scoring.organization_ambassadors(user.organization_id, active_only=False)
    return render_template(
        "advocacy/ambassadors.html",
        invite_form=invite_form or InviteEmployeeForm(formdata=None),
        import_form=import_form or ImportEmployeesForm(formdata=None),
        points_form=points_form
        or PointsForm(
            formdata=None,
            points_share=weights.share,
            points_click=weights.click,
            points_application=weights.application,
            points_hire=weights.hire,
        ),
        import_errors=import_errors or [],
        ambassadors=ambassadors,
        stats=scoring.ambassador_stats(user.organization_id, ambassadors),
        max_rows=ambassador_rules.MAX_IMPORT_ROWS,
    ), status


@bp.get("/ambassadors")
@admin_required
def ambassadors():
    """Invite employees as ambassadors and set the points."""
    return render_ambassadors()


@bp.post("/ambassadors/invite")
@admin_required
def invite():
    """Invite one employee."""
    form = InviteEmployeeForm()
    if not form.validate_on_submit():
        return render_ambassadors(invite_form=form, status=400)
    ttl = current_app.config["INVITE_TTL"]
    try:
        user, token = ambassador_rules.invite_employee(
            actor(), name=form.name.data, email=form.email.data, language=form.language.data or None, ttl=ttl
        )
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_ambassadors(invite_form=form, status=error.status_code)
    ambassador_rules.send_ambassador_invitation(actor(), user, token, ttl)
    db.session.commit()
    flash(_("Invitation sent to %(email)s.", email=user.email), "success")
    return redirect(url_for(".ambassadors"))


@bp.post("/ambassadors/import")
@admin_required
def import_employees():
    """Invite every employee in a CSV file, or no one if any row has a problem."""
    form = ImportEmployeesForm()
    if not form.validate_on_submit():
        return render_ambassadors(import_form=form, status=400)
    ttl = current_app.config["INVITE_TTL"]
    data = form.file.data.stream.read(ambassador_rules.MAX_IMPORT_BYTES + 1)
    try:
        invited = ambassador_rules.import_employees(actor(), data, ttl)
    except ambassador_rules.ImportRejected as error:
        db.session.rollback()
        attach_error(form, error)
        return render_ambassadors(import_form=form, import_errors=error.errors, status=400)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_ambassadors(import_form=form, status=error.status_code)
    for user, token in invited:
        ambassador_rules.send_ambassador_invitation(actor(), user, token, ttl)
    db.session.commit()
    flash(ngettext("%(num)d employee invited.", "%(num)d employees invited.", len(invited)), "success")
    return redirect(url_for(".ambassadors"))


@bp.post("/points")
@admin_required
def points():
    """Points per share, click, application and hire."""
    form = PointsForm()
    if not form.validate_on_submit():
        return render_ambassadors(points_form=form, status=400)
    try:
        scoring.update_point_weights(
            actor(),
            scoring.PointWeights(
                form.points_share.data,
                form.points_click.data,
                form.points_application.data,
                form.points_hire.data,
            ),
        )
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_ambassadors(points_form=form, status=error.status_code)
    db.session.commit()
    flash(_("Points saved."), "success")
    return redirect(url_for(".ambassadors"))
