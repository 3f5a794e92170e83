# SPDX-License-Identifier: AGPL-3.0-or-later
"""Employees contribute their own testimonials (with a video recorded in the browser); staff approve them."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from app.auth.decorators import actor, roles_required
from app.candidates.privacy import delete_files_after_commit
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.forms import attach_error, require_valid
from app.core.storage import file_url
from app.media.recordings import confirmed_upload_key, requested_content_type, ticket_response
from app.models import Role
from app.postings import testimonials as testimonial_rules
from app.voice import bp
from app.voice.forms import ButtonForm, ContributionForm

manage_required = roles_required(Role.ADMIN, Role.RECRUITER)


def render_contribution(form: ContributionForm, status: int = 200):
    """The form an employee writes their testimonial in."""
    form.job_id.choices = [SelectChoice("", _("Every job (organization-wide)"))] + [
        SelectChoice(str(job.id), job.title) for job in testimonial_rules.contribution_jobs(actor())
    ]
    return render_template("voice/testimonial_new.html", form=form), status


@bp.route("/app/voice/testimonials/new", methods=["GET", "POST"])
@login_required
def contribute_testimonial():
    """Write a testimonial (and add a photo or video file); a video can be recorded next."""
    form = ContributionForm()
    if request.method == "GET":
        return render_contribution(form)
    if not form.validate_on_submit():
        return render_contribution(form, 400)
    job_id = form.job_id.data
    try:
        testimonial = testimonial_rules.contribute_testimonial(
            actor(),
            quote=form.quote.data,
            author_role=form.author_role.data or "",
            job_id=int(job_id) if job_id and job_id.isdigit() else None,
            photo=form.photo.data.stream if form.photo.data else None,
            video=form.video.data.stream if form.video.data else None,
        )
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_contribution(form, error.status_code)
    db.session.commit()
    flash(
        _("Thank you! An administrator looks at your testimonial before it appears on job cards."), "success"
    )
    return redirect(url_for("postings.my_testimonials", _anchor=f"testimonial-{testimonial.id}"))


@bp.post("/app/voice/testimonials/<int:testimonial_id>/video/ticket")
@login_required
def testimonial_video_ticket(testimonial_id: int):
    """Where the browser uploads the recorded video of one's own testimonial (JSON, for recorder.js)."""
    ticket = testimonial_rules.own_video_ticket(actor(), testimonial_id, requested_content_type())
    db.session.commit()  # the ticket's record is what a confirm will accept
    return ticket_response(ticket)


@bp.post("/app/voice/testimonials/<int:testimonial_id>/video/confirm")
@login_required
def confirm_testimonial_video(testimonial_id: int):
    """Adopt the finished upload as the testimonial's video (JSON, for recorder.js)."""
    delete_files_after_commit(
        testimonial_rules.confirm_own_video(actor(), testimonial_id, confirmed_upload_key())
    )
    db.session.commit()
    return jsonify(
        ok=True, message=_("Your video was saved. An administrator looks at it before it is shown.")
    )


@bp.get("/app/voice/testimonials/<int:testimonial_id>/video")
@login_required
def testimonial_video(testimonial_id: int):
    """A short-lived link to a testimonial's video (staff who manage them, or the colleague quoted)."""
    testimonial = testimonial_rules.get_testimonial_video(actor(), testimonial_id)
    if not testimonial.video_key:  # get_testimonial_video refuses testimonials without a video
        abort(404)
    return redirect(
        file_url(
            testimonial.video_key,
            filename="testimonial",
            content_type=testimonial.video_content_type or "video/webm",
            inline=True,
        )
    )


@bp.post("/app/voice/testimonials/<int:testimonial_id>/approve")
@manage_required
def approve_testimonial(testimonial_id: int):
    """An administrator or recruiter approves a colleague's contribution for job cards."""
    require_valid(ButtonForm())
    testimonial_rules.approve_for_job_cards(actor(), testimonial_id)
    db.session.commit()
    flash(_("The testimonial was approved. It appears on job cards while your colleague agrees."), "success")
    return redirect(url_for("postings.testimonials"))
