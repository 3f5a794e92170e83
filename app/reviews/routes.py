# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff pages for reviewing: scorecards, reviewing an interview, comments, shortlists, blind mode."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from wtforms import SelectChoice

from app.applications.services import cv_links, find_application_for_staff
from app.auth.decorators import actor, roles_required
from app.core.errors import Conflict, DomainError, Invalid
from app.core.extensions import db
from app.core.forms import attach_error, require_valid
from app.core.security import is_safe_redirect
from app.models import Application, Role, User, utcnow
from app.models.review import Shortlist
from app.pipeline.stages import stage_names
from app.reviews import access, bp, comments, scorecards, services, shortlists
from app.reviews.forms import (
    AddEntriesForm,
    BlindReviewForm,
    ButtonForm,
    CommentForm,
    CriterionForm,
    MoveForm,
    ShareLinkForm,
    ShareManagerForm,
    ShortlistForm,
    build_review_form,
)

staff_required = roles_required(Role.ADMIN, Role.RECRUITER, Role.MANAGER)
editor_required = roles_required(Role.ADMIN, Role.RECRUITER)


@bp.context_processor
def reviews_context() -> dict[str, object]:
    """Labels the review pages present."""
    return {"recommendation_labels": services.RECOMMENDATION_LABELS, "format_decimal": format_decimal}


# --- scorecards -----------------------------------------------------------------------------------


def render_scorecard(template_id: int, form: CriterionForm | None = None, status: int = 200):
    """A template's scorecard: its criteria in order and the form to add one."""
    template = scorecards.find_template(actor(), template_id)
    return render_template(
        "reviews/scorecard.html",
        template=template,
        criteria=scorecards.list_criteria(template.id),
        form=form or CriterionForm(formdata=None),
        button_form=ButtonForm(),
        can_edit=actor().role in scorecards.EDITING_ROLES,
        max_criteria=scorecards.MAX_CRITERIA,
    ), status


def criterion_data(form: CriterionForm) -> scorecards.CriterionData:
    """The service's input from the criterion form."""
    return scorecards.CriterionData(name=form.name.data or "", guidance=form.guidance.data or "")


@bp.get("/templates/<int:template_id>/scorecard")
@staff_required
def scorecard(template_id: int):
    """The scorecard of an interview template."""
    return render_scorecard(template_id)


@bp.post("/templates/<int:template_id>/scorecard")
@editor_required
def add_criterion(template_id: int):
    """Add a criterion to the scorecard."""
    form = CriterionForm()
    if form.validate_on_submit():
        try:
            scorecards.add_criterion(actor(), template_id, criterion_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The criterion was added."), "success")
            return redirect(url_for(".scorecard", template_id=template_id))
    return render_scorecard(template_id, form, 400)


@bp.route("/templates/<int:template_id>/scorecard/<int:criterion_id>", methods=["GET", "POST"])
@editor_required
def edit_criterion(template_id: int, criterion_id: int):
    """Rename a criterion or change its guidance."""
    criterion = scorecards.find_criterion(actor(), template_id, criterion_id)
    form = CriterionForm(obj=criterion)
    if form.validate_on_submit():
        try:
            scorecards.update_criterion(actor(), template_id, criterion_id, criterion_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The criterion was saved."), "success")
            return redirect(url_for(".scorecard", template_id=template_id))
    status = 400 if form.is_submitted() else 200
    template = scorecards.find_template(actor(), template_id)
    return render_template(
        "reviews/criterion.html", template=template, criterion=criterion, form=form
    ), status


@bp.post("/templates/<int:template_id>/scorecard/<int:criterion_id>/delete")
@editor_required
def delete_criterion(template_id: int, criterion_id: int):
    """Remove a criterion (and the scores given on it)."""
    require_valid(ButtonForm())
    scorecards.remove_criterion(actor(), template_id, criterion_id)
    db.session.commit()
    flash(_("The criterion was removed."), "success")
    return redirect(url_for(".scorecard", template_id=template_id))


@bp.post("/templates/<int:template_id>/scorecard/<int:criterion_id>/move")
@editor_required
def move_criterion(template_id: int, criterion_id: int):
    """Move a criterion up or down."""
    form = require_valid(MoveForm())
    scorecards.move_criterion(actor(), template_id, criterion_id, form.offset.data)
    db.session.commit()
    return redirect(url_for(".scorecard", template_id=template_id, _anchor="criteria"))


# --- reviewing an interview -----------------------------------------------------------------------


def staff_reviewer(user: User, application: Application) -> services.Reviewer:
    """The signed-in reviewer; a manager carries the share the application reached them through."""
    share = access.share_for_application(user, application) if access.sees_only_shared(user) else None
    return services.Reviewer(name=user.name, user=user, share=share)


def render_review(sheet: services.ReviewSheet, form, status: int = 200):
    """The review page of a colleague."""
    application = sheet.application
    return render_template(
        "reviews/review.html",
        sheet=sheet,
        form=form,
        action_url=url_for(".review", public_id=application.public_id),
        back_url=url_for("applications.detail", public_id=application.public_id),
        comments_url=url_for(".comments", public_id=application.public_id),
        candidate=None if sheet.identity_hidden else application.candidate,
        cv=None if sheet.identity_hidden else cv_links(application),
        stage_labels=stage_names(application.organization_id),
    ), status


@bp.route("/applications/<public_id>", methods=["GET", "POST"])
@staff_required
def review(public_id: str):
    """Watch and rate an application's interview; others' scores appear once this reviewer submitted."""
    user = actor()
    application = find_application_for_staff(user, public_id)
    reviewer = staff_reviewer(user, application)
    sheet = services.build_sheet(application, reviewer)
    form = build_review_form(sheet)()
    if request.method == "POST" and sheet.submitted:
        raise Conflict(_("You have already submitted your review of this interview."))
    if form.validate_on_submit():
        try:
            services.submit_review(application, reviewer, form.review_input())
        except Invalid as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your review was submitted. Here is what the other reviewers said."), "success")
            return redirect(url_for(".review", public_id=public_id, _anchor="results"))
    if request.method == "GET" and reviewer.share is not None:
        access.record_share_event(
            reviewer.share, "shortlist.share_application_viewed", "application", application.id, actor=user
        )
        db.session.commit()
    return render_review(sheet, form, 400 if form.is_submitted() else 200)


# --- comments -------------------------------------------------------------------------------------


def render_comments(application: Application, form: CommentForm, status: int = 200):
    """An application's comments and the form to add one."""
    user = actor()
    hidden = services.identity_hidden_for(user, application)
    return render_template(
        "reviews/comments.html",
        application=application,
        display_name=services.pseudonym(application) if hidden else application.candidate.name,
        comments=comments.list_comments(application),
        colleagues=[
            (comments.mention_handle(colleague), colleague.name)
            for colleague in comments.mentionable_colleagues(user, application)
        ],
        form=form,
    ), status


@bp.route("/applications/<public_id>/comments", methods=["GET", "POST"], endpoint="comments")
@staff_required
def comments_page(public_id: str):
    """Comments on an application; mentioning a colleague e-mails them."""
    application = find_application_for_staff(actor(), public_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = comments.add_comment(actor(), application, form.body.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            if comment.mentions:
                flash(
                    ngettext(
                        "Comment added; %(num)d colleague was notified.",
                        "Comment added; %(num)d colleagues were notified.",
                        len(comment.mentions),
                    ),
                    "success",
                )
            else:
                flash(_("Comment added."), "success")
            return redirect(url_for(".comments", public_id=public_id, _anchor=f"comment-{comment.id}"))
    return render_comments(application, form, 400 if form.is_submitted() else 200)


# --- shortlists -----------------------------------------------------------------------------------


def new_shortlist_form(form: ShortlistForm | None = None) -> ShortlistForm | None:
    """The new-shortlist form with the organization's jobs, for those who build shortlists."""
    if actor().role not in shortlists.MANAGING_ROLES:
        return None
    form = form or ShortlistForm(formdata=None)
    form.job_id.choices = [SelectChoice(job.id, job.title) for job in shortlists.shortlist_jobs(actor())]
    return form


def render_index(form: ShortlistForm | None = None, status: int = 200):
    """The shortlists the actor may open, and the form to start one."""
    return render_template(
        "reviews/shortlists.html",
        rows=shortlists.list_shortlists(actor()),
        form=new_shortlist_form(form),
        jobs=shortlists.shortlist_jobs(actor()) if actor().role in shortlists.MANAGING_ROLES else [],
    ), status


@bp.get("/shortlists", endpoint="shortlists")
@staff_required
def shortlist_index():
    """Shortlists: all of them for recruiters, those shared with them for managers."""
    return render_index()


@bp.post("/shortlists")
@editor_required
def create_shortlist():
    """Start a shortlist for a job."""
    form = new_shortlist_form(ShortlistForm())
    if form is None:  # editor_required lets in only those who build shortlists
        abort(403)
    if form.validate_on_submit():
        try:
            shortlist = shortlists.create_shortlist(actor(), form.job_id.data, form.name.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The shortlist was created. Now add applications to it."), "success")
            return redirect(url_for(".shortlist", shortlist_id=shortlist.id))
    return render_index(form, 400)


def render_shortlist(shortlist: Shortlist, status: int = 200, new_link: str | None = None, **forms):
    """A shortlist: its applications and, for recruiters, adding, sharing and revoking."""
    user = actor()
    share = shortlists.manager_share(user, shortlist) if access.sees_only_shared(user) else None
    reviewer = services.Reviewer(name=user.name, user=user, share=share)
    context: dict[str, object] = {
        "shortlist": shortlist,
        "rows": shortlists.entry_rows(shortlist, reviewer),
        "stage_labels": stage_names(shortlist.organization_id),
        "can_manage": user.role in shortlists.MANAGING_ROLES,
        "new_link": new_link,
        "button_form": ButtonForm(),
    }
    if context["can_manage"]:
        add_form = forms.get("add_form") or AddEntriesForm(formdata=None)
        add_form.application_ids.choices = [
            SelectChoice(application.id, application.candidate.name)
            for application in shortlists.addable_applications(shortlist)
        ]
        manager_form = forms.get("manager_form") or ShareManagerForm(formdata=None)
        manager_form.user_id.choices = [
            SelectChoice(manager.id, f"{manager.name} ({manager.email})")
            for manager in shortlists.shareable_managers(user)
        ]
        context.update(
            add_form=add_form,
            manager_form=manager_form,
            link_form=forms.get("link_form") or ShareLinkForm(formdata=None),
            blind_form=BlindReviewForm(enabled=shortlist.job.blind_review),
            now=utcnow(),
        )
    return render_template("reviews/shortlist.html", **context), status


@bp.get("/shortlists/<int:shortlist_id>")
@staff_required
def shortlist(shortlist_id: int):
    """One shortlist; a manager's visit through their share goes into the audit trail."""
    user = actor()
    found = shortlists.find_shortlist(user, shortlist_id)
    share = shortlists.manager_share(user, found) if access.sees_only_shared(user) else None
    if share is not None:
        access.record_share_event(share, "shortlist.share_viewed", actor=user)
        db.session.commit()
    return render_shortlist(found)


@bp.post("/shortlists/<int:shortlist_id>/delete")
@editor_required
def delete_shortlist(shortlist_id: int):
    """Delete a shortlist and stop its shares."""
    require_valid(ButtonForm())
    shortlists.delete_shortlist(actor(), shortlist_id)
    db.session.commit()
    flash(_("The shortlist was deleted."), "success")
    return redirect(url_for(".shortlists"))


@bp.post("/shortlists/<int:shortlist_id>/entries")
@editor_required
def add_entries(shortlist_id: int):
    """Put applications on the shortlist."""
    shortlist = shortlists.find_managed_shortlist(actor(), shortlist_id)
    form = AddEntriesForm()
    form.application_ids.choices = [
        SelectChoice(application.id, application.candidate.name)
        for application in shortlists.addable_applications(shortlist)
    ]
    if form.validate_on_submit():
        try:
            added = shortlists.add_entries(actor(), shortlist_id, form.application_ids.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(ngettext("%(num)d application added.", "%(num)d applications added.", added), "success")
            return redirect(url_for(".shortlist", shortlist_id=shortlist_id))
    return render_shortlist(shortlists.find_managed_shortlist(actor(), shortlist_id), 400, add_form=form)


@bp.post("/shortlists/<int:shortlist_id>/entries/<int:entry_id>/delete")
@editor_required
def remove_entry(shortlist_id: int, entry_id: int):
    """Take an application off the shortlist."""
    require_valid(ButtonForm())
    shortlists.remove_entry(actor(), shortlist_id, entry_id)
    db.session.commit()
    flash(_("The application was taken off the shortlist."), "success")
    return redirect(url_for(".shortlist", shortlist_id=shortlist_id))


@bp.post("/shortlists/<int:shortlist_id>/shares")
@editor_required
def share_with_manager(shortlist_id: int):
    """Share with a hiring manager, who gets an e-mail with the link."""
    shortlist = shortlists.find_managed_shortlist(actor(), shortlist_id)
    form = ShareManagerForm()
    form.user_id.choices = [
        SelectChoice(manager.id, manager.name) for manager in shortlists.shareable_managers(actor())
    ]
    status = 400
    if form.validate_on_submit():
        try:
            share = shortlists.share_with_manager(actor(), shortlist_id, form.user_id.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
            status = error.status_code
        else:
            name = share.user.name if share.user is not None else ""
            db.session.commit()
            flash(_("Shared with %(name)s, who was sent an e-mail with the link.", name=name), "success")
            return redirect(url_for(".shortlist", shortlist_id=shortlist_id, _anchor="sharing"))
    return render_shortlist(
        shortlists.find_managed_shortlist(actor(), shortlist.id), status, manager_form=form
    )


@bp.post("/shortlists/<int:shortlist_id>/links")
@editor_required
def create_link(shortlist_id: int):
    """Make an outside reviewer's link; the address is shown this once and never stored."""
    form = ShareLinkForm()
    if form.validate_on_submit():
        try:
            _share, raw = shortlists.create_share_link(actor(), shortlist_id, form.label.data, form.days.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            found = shortlists.find_managed_shortlist(actor(), shortlist_id)
            return render_shortlist(found, 201, new_link=shortlists.share_link_url(raw))
    return render_shortlist(shortlists.find_managed_shortlist(actor(), shortlist_id), 400, link_form=form)


@bp.post("/shortlists/<int:shortlist_id>/shares/<int:share_id>/revoke")
@editor_required
def revoke_share(shortlist_id: int, share_id: int):
    """Stop a share at once."""
    require_valid(ButtonForm())
    share = shortlists.revoke_share(actor(), shortlist_id, share_id)
    label = share.label
    db.session.commit()
    flash(_("%(label)s can no longer open this shortlist.", label=label), "success")
    return redirect(url_for(".shortlist", shortlist_id=shortlist_id, _anchor="sharing"))


# --- blind mode -----------------------------------------------------------------------------------


@bp.post("/jobs/<int:job_id>/blind")
@editor_required
def set_blind(job_id: int):
    """Turn blind reviews on or off for a job."""
    form = require_valid(BlindReviewForm())
    job = services.set_blind_review(actor(), job_id, bool(form.enabled.data))
    title, enabled = job.title, job.blind_review
    db.session.commit()
    if enabled:
        flash(_("Reviews of %(job)s are now blind.", job=title), "success")
    else:
        flash(_("Reviews of %(job)s now show who the candidate is.", job=title), "success")
    return redirect(safe_back(url_for(".shortlists")))


def safe_back(default: str) -> str:
    """Where a settings form came from, when that is one of our own pages."""
    target = request.form.get("next")
    return target if target and is_safe_redirect(target, request.host_url) else default


from app.reviews import shared  # noqa: E402, F401  (the outside reviewers' pages)
