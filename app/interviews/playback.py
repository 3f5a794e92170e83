"""Reviewers watch and read a candidate's interview answers."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.auth.decorators import roles_required
from app.interviews import bp
from app.media.review import REVIEWER_ROLES, review_interview


@bp.get("/invitations/<int:invitation_id>")
@roles_required(*REVIEWER_ROLES)
def playback(invitation_id: int):
    """The answers of one interview, with prompts, recordings, captions and transcripts."""
    review = review_interview(current_user, invitation_id)
    return render_template("interviews/playback.html", review=review)
