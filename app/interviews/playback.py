# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reviewers watch and read a candidate's interview answers."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.decorators import roles_required
from app.core.extensions import db
from app.core.forms import require_valid
from app.interviews import bp
from app.interviews.forms import ButtonForm
from app.media.review import REVIEWER_ROLES, can_reprocess, reprocess_answer, review_interview


@bp.get("/invitations/<int:invitation_id>")
@roles_required(*REVIEWER_ROLES)
def playback(invitation_id: int):
    """The answers of one interview, with prompts, recordings, captions and transcripts."""
    review = review_interview(current_user, invitation_id)
    return render_template(
        "interviews/playback.html", review=review, can_reprocess=can_reprocess, button_form=ButtonForm()
    )


@bp.post("/invitations/<int:invitation_id>/answers/<int:answer_id>/process")
@roles_required(*REVIEWER_ROLES)
def reprocess(invitation_id: int, answer_id: int):
    """Try a failed processing (or transcript) of an answer again."""
    require_valid(ButtonForm())
    reprocess_answer(current_user._get_current_object(), invitation_id, answer_id)
    db.session.commit()
    flash(_("The answer is being processed again."), "success")
    return redirect(
        url_for("interviews.playback", invitation_id=invitation_id, _anchor=f"answer-{answer_id}")
    )
