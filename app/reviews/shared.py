# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outside reviewers: a shortlist opened through an expiring, revocable link, without an account.

Every view and every action through a link goes into the organization's audit trail, naming the
link; a revoked or expired link answers 410 with a page that says so.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.core.errors import Conflict, Invalid
from app.core.extensions import db, limiter
from app.core.forms import attach_error
from app.models.review import ShortlistShare
from app.pipeline.stages import stage_names
from app.reviews import bp, services, shortlists
from app.reviews.access import record_share_event
from app.reviews.forms import ReviewerNameForm, build_review_form

# In the signed session cookie: per link (share id), the reviewer's name and their browser's key.
SESSION_KEY = "shared_reviewers"
SHARED_RATE_LIMIT = "120 per minute"


def private(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pages behind a link stay out of shared and browser caches (their templates also ask for no referrer)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def load_share(token: str) -> ShortlistShare:
    """The share behind the link; a 410 page (with the refusal kept in the audit trail) when it stopped."""
    try:
        share = shortlists.open_share_link(token)
    except shortlists.ShareGone as error:
        db.session.commit()  # the refused attempt stays in the audit trail
        page = render_template("reviews/link_gone.html", message=error.message)
        response = make_response(page, 410)
        response.headers["Cache-Control"] = "private, no-store"
        abort(response)
    g.organization = share.shortlist.job.organization
    return share


def outside_reviewer(share: ShortlistShare) -> services.Reviewer | None:
    """The link's one reviewer, when this browser is theirs (it holds their key)."""
    known = session.get(SESSION_KEY, {}).get(str(share.id))
    key = known.get("key") if known else None
    reviewer = shortlists.share_reviewer(share, key)
    if reviewer is None and key and share.reviewer_key_hash is None:
        # A browser that gave its name before links had one reviewer: it becomes that reviewer.
        try:
            reviewer = shortlists.join_share_link(share, known.get("name") or "", key)
        except (shortlists.ShareTaken, Invalid):
            return None
    return reviewer


def remember_reviewer(share: ShortlistShare, reviewer: services.Reviewer) -> None:
    """Keep the reviewer's key for this link in this browser's session."""
    known = dict(session.get(SESSION_KEY, {}))
    known[str(share.id)] = {"name": reviewer.name, "key": reviewer.key}
    session[SESSION_KEY] = known


def link_taken(share: ShortlistShare, message: str | None = None):
    """The 403 page of a link that already belongs to another reviewer."""
    page = render_template("reviews/link_taken.html", share=share, message=message)
    return page, 403


@bp.get("/shared/<token>")
@limiter.limit(SHARED_RATE_LIMIT)
@private
def shared_shortlist(token: str):
    """The shared shortlist; before anyone joined, a page asking the reviewer's name (GET joins nobody)."""
    share = load_share(token)
    reviewer = outside_reviewer(share)
    record_share_event(share, "shortlist.share_viewed")
    db.session.commit()
    if reviewer is None and share.reviewer_key_hash is not None:
        return link_taken(share)
    if reviewer is None:
        return render_template("reviews/shared_name.html", share=share, token=token, form=ReviewerNameForm())
    return render_template(
        "reviews/shared_shortlist.html",
        share=share,
        shortlist=share.shortlist,
        token=token,
        reviewer=reviewer,
        rows=shortlists.entry_rows(share.shortlist, reviewer),
        stage_labels=stage_names(share.shortlist.organization_id),
    )


@bp.post("/shared/<token>")
@limiter.limit(SHARED_RATE_LIMIT)
@private
def shared_name(token: str):
    """The first person to give their name becomes the link's one reviewer, in this browser."""
    share = load_share(token)
    if outside_reviewer(share) is not None:
        db.session.commit()
        return redirect(url_for(".shared_shortlist", token=token))
    form = ReviewerNameForm()
    if not form.validate_on_submit():
        return render_template("reviews/shared_name.html", share=share, token=token, form=form), 400
    try:
        reviewer = shortlists.join_share_link(share, form.name.data)
    except shortlists.ShareTaken as error:
        record_share_event(share, "shortlist.share_join_refused")
        db.session.commit()
        return link_taken(share, error.message)
    except Invalid as error:
        attach_error(form, error)
        return render_template("reviews/shared_name.html", share=share, token=token, form=form), 400
    db.session.commit()
    remember_reviewer(share, reviewer)
    return redirect(url_for(".shared_shortlist", token=token))


def render_shared_review(token: str, sheet: services.ReviewSheet, form, status: int = 200):
    """The review page of an outside reviewer (no contact details, no CV)."""
    return render_template(
        "reviews/review.html",
        sheet=sheet,
        form=form,
        action_url=url_for(".shared_review", token=token, public_id=sheet.application.public_id),
        back_url=url_for(".shared_shortlist", token=token),
        comments_url=None,
        outside=True,
        candidate=None,
        cv=None,
        stage_labels=stage_names(sheet.application.organization_id),
    ), status


@bp.route("/shared/<token>/<public_id>", methods=["GET", "POST"])
@limiter.limit(SHARED_RATE_LIMIT)
@private
def shared_review(token: str, public_id: str):
    """Watch and rate one shortlisted interview through the link."""
    share = load_share(token)
    reviewer = outside_reviewer(share)
    if reviewer is None:
        return redirect(url_for(".shared_shortlist", token=token))
    application = shortlists.find_shared_application(share, public_id)
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
            return redirect(url_for(".shared_review", token=token, public_id=public_id, _anchor="results"))
    if request.method == "GET":
        record_share_event(share, "shortlist.share_application_viewed", "application", application.id)
        db.session.commit()
    return render_shared_review(token, sheet, form, 400 if form.is_submitted() else 200)
