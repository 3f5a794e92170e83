"""Outside reviewers: a shortlist opened through an expiring, revocable link, without an account.

Every view and every action through a link goes into the organization's audit trail, naming the
link; a revoked or expired link answers 410 with a page that says so.
"""

from __future__ import annotations

import secrets
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
    """The outside reviewer of this browser for this link, once they gave their name."""
    known = session.get(SESSION_KEY, {}).get(str(share.id))
    if not known:
        return None
    return services.Reviewer(name=known["name"], share=share, key=known["key"])


def remember_reviewer(share: ShortlistShare, name: str) -> None:
    """Keep the reviewer's name, and a random key for their reviews, in this browser's session."""
    known = dict(session.get(SESSION_KEY, {}))
    known[str(share.id)] = {"name": " ".join(name.split())[:120], "key": secrets.token_urlsafe(24)}
    session[SESSION_KEY] = known


@bp.get("/shared/<token>")
@limiter.limit(SHARED_RATE_LIMIT)
@private
def shared_shortlist(token: str):
    """The shared shortlist, after asking the outside reviewer's name once."""
    share = load_share(token)
    reviewer = outside_reviewer(share)
    record_share_event(share, "shortlist.share_viewed")
    db.session.commit()
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
    """Remember who reviews through this link in this browser."""
    share = load_share(token)
    form = ReviewerNameForm()
    if not form.validate_on_submit():
        return render_template("reviews/shared_name.html", share=share, token=token, form=form), 400
    remember_reviewer(share, form.name.data)
    record_share_event(share, "shortlist.share_reviewer_joined")
    db.session.commit()
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
