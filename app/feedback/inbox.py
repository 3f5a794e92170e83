# SPDX-License-Identifier: AGPL-3.0-or-later
"""Messages as the candidate sees them on their page: listed per application, marked read when opened."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext as _l

from app.core.errors import NotFound
from app.core.extensions import db
from app.models import Application, Candidate, CandidateMessage, utcnow


def messages_by_application(candidate: Candidate) -> dict[int, list[CandidateMessage]]:
    """The candidate's messages per application id, newest first (one query)."""
    messages: dict[int, list[CandidateMessage]] = defaultdict(list)
    for message in db.session.scalars(
        db.select(CandidateMessage)
        .join(Application, Application.id == CandidateMessage.application_id)
        .where(
            Application.candidate_id == candidate.id,
            CandidateMessage.organization_id == candidate.organization_id,
        )
        .order_by(CandidateMessage.sent_at.desc(), CandidateMessage.id.desc())
    ):
        messages[message.application_id].append(message)
    return dict(messages)


def open_message(candidate: Candidate, public_id: str, message_id: int) -> CandidateMessage:
    """One of the candidate's own messages; the first opening sets ``read_at`` (the read receipt)."""
    message = db.session.scalar(
        db.select(CandidateMessage)
        .join(Application, Application.id == CandidateMessage.application_id)
        .where(
            CandidateMessage.id == message_id,
            Application.public_id == public_id,
            Application.candidate_id == candidate.id,
            Application.organization_id == candidate.organization_id,
        )
    )
    if message is None:
        raise NotFound(str(_l("We could not find this message.")))
    if message.read_at is None:
        message.read_at = utcnow()
        db.session.flush()
    return message
