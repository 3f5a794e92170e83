# SPDX-License-Identifier: AGPL-3.0-or-later
"""Routes of the profiles area: one's own profile, colleagues' profiles, and suggestions for a job."""

from __future__ import annotations

import json

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.auth.decorators import actor, roles_required
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.forms import attach_error, require_valid
from app.models import ProfileItemKind, ProfileVisibility, Role
from app.profiles import bp, services
from app.profiles.forms import ButtonForm, ItemForm, JobPickForm, VisibilityForm

hr_required = roles_required(Role.ADMIN, Role.RECRUITER)


@bp.context_processor
def profiles_context() -> dict[str, object]:
    """Labels the profile templates present."""
    return {
        "kind_labels": services.KIND_LABELS,
        "visibility_labels": services.VISIBILITY_LABELS,
        "item_kinds": list(ProfileItemKind),
    }


@bp.get("/")
@login_required
def index():
    """Colleagues who opted in, with what the viewer may see; HR picks a job for suggestions."""
    form = None
    if actor().role in services.HR_ROLES:
        form = JobPickForm(request.args)
        form.job.choices = [(str(job.id), job.title) for job in services.jobs_for_suggestions(actor())]
    return render_template(
        "profiles/index.html",
        views=services.directory(actor()),
        has_profile=services.own_profile(actor()) is not None,
        form=form,
    )


def render_mine(item_form: ItemForm | None = None, status: int = 200):
    """One's own profile page."""
    profile = services.own_profile(actor())
    return render_template(
        "profiles/mine.html",
        profile=profile,
        view=services.view_profile(actor(), actor().id) if profile else None,
        item_form=item_form or ItemForm(formdata=None),
        button_form=ButtonForm(),
    ), status


@bp.get("/me")
@login_required
def mine():
    """Edit one's own profile (or opt in)."""
    return render_mine()


@bp.post("/me")
@login_required
def create():
    """Opt in: start one's own profile."""
    require_valid(ButtonForm())
    services.create_profile(actor())
    db.session.commit()
    flash(_("Your profile was created. Add what you would like colleagues to know."), "success")
    return redirect(url_for(".mine"))


@bp.post("/me/items")
@login_required
def add_item():
    """Add a skill, language or interest."""
    form = ItemForm()
    if not form.validate_on_submit():
        return render_mine(form, 400)
    try:
        services.add_item(
            actor(),
            kind=ProfileItemKind(form.kind.data),
            label=form.label.data,
            visibility=ProfileVisibility(form.visibility.data),
        )
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_mine(form, error.status_code)
    db.session.commit()
    flash(_("Added to your profile."), "success")
    return redirect(url_for(".mine"))


@bp.post("/me/items/<int:item_id>/visibility")
@login_required
def change_visibility(item_id: int):
    """Choose who sees one item."""
    form = VisibilityForm()
    require_valid(form)
    services.change_visibility(actor(), item_id, ProfileVisibility(form.visibility.data))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".mine"))


@bp.post("/me/items/<int:item_id>/delete")
@login_required
def remove_item(item_id: int):
    """Take one item off the profile."""
    require_valid(ButtonForm())
    services.remove_item(actor(), item_id)
    db.session.commit()
    flash(_("Removed from your profile."), "success")
    return redirect(url_for(".mine"))


@bp.get("/me/export")
@login_required
def export():
    """Download everything one's profile holds, as JSON."""
    document = services.export_profile(actor())
    response = make_response(json.dumps(document, ensure_ascii=False, indent=2))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="my-profile.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Confirm, then erase one's own profile."""
    form = ButtonForm()
    if request.method == "POST":
        require_valid(form)
        services.delete_profile(actor())
        db.session.commit()
        flash(_("Your profile was deleted."), "success")
        return redirect(url_for(".mine"))
    if services.own_profile(actor()) is None:
        return redirect(url_for(".mine"))
    return render_template("profiles/delete.html", form=form)


@bp.get("/<int:user_id>")
@login_required
def show(user_id: int):
    """A colleague's profile, with only what the viewer may see."""
    return render_template("profiles/show.html", view=services.view_profile(actor(), user_id))


@bp.get("/suggestions")
@hr_required
def pick_job():
    """The job picker's target: on to that job's suggestions."""
    job_id = request.args.get("job", type=int)
    if job_id is None:
        return redirect(url_for(".index"))
    return redirect(url_for(".suggestions", job_id=job_id))


@bp.get("/jobs/<int:job_id>/suggestions")
@hr_required
def suggestions(job_id: int):
    """Colleagues whose profiles match a job: suggestions for a person to consider, never decisions."""
    return render_template("profiles/suggestions.html", result=services.suggest_for_job(actor(), job_id))
