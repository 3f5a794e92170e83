# SPDX-License-Identifier: AGPL-3.0-or-later
"""A candidate's data as a person may ask for it: everything we hold, and its erasure.

Erasure removes rows inside the caller's transaction, but stored files (CVs, export zips)
cannot be rolled back, so they are deleted only once that transaction commits: the keys
wait in ``db.session.info`` and a session ``after_commit`` hook deletes them (a rollback
drops them, so nothing is lost when the deletion itself fails). The same pattern as
``app.core.mail``: callers just flush and commit, as everywhere else.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy.orm import selectinload

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.storage import CHUNK_SIZE, ObjectNotFound, get_storage
from app.core.storage.stored_files import delete_files_after_commit
from app.models import (
    Application,
    ApplicationStage,
    Candidate,
    CandidateAccessToken,
    CandidateSession,
    DataExport,
    User,
    utcnow,
)
from app.models.base import ATTRIBUTION_FIELDS
from app.models.interview import InterviewAnswer, InterviewInvitation

logger = logging.getLogger(__name__)

EXPORT_FORMAT_VERSION = 1


# -- everything we hold ---------------------------------------------------------------------


def load_candidate_applications(candidate: Candidate) -> list[Application]:
    """The candidate's applications with their job, answers and stage history, oldest first."""
    return list(
        db.session.scalars(
            db.select(Application)
            .where(
                Application.candidate_id == candidate.id,
                Application.organization_id == candidate.organization_id,
            )
            .options(
                selectinload(Application.job),
                selectinload(Application.answers),
                selectinload(Application.stage_changes),
            )
            .order_by(Application.submitted_at, Application.id)
        )
    )


def load_candidate_interviews(applications: Sequence[Application]) -> list[InterviewInvitation]:
    """The interview invitations of these applications, with their answers and questions."""
    if not applications:
        return []
    return list(
        db.session.scalars(
            db.select(InterviewInvitation)
            .where(InterviewInvitation.application_id.in_([a.id for a in applications]))
            .options(
                selectinload(InterviewInvitation.template),
                selectinload(InterviewInvitation.answers).selectinload(InterviewAnswer.question),
            )
            .order_by(InterviewInvitation.sent_at, InterviewInvitation.id)
        )
    )


def answer_file_keys(answer: InterviewAnswer) -> list[str]:
    """Every stored file of an interview answer: the recording and what was made from it."""
    return [key for key in (answer.video_key, answer.mp4_key, answer.poster_key, answer.captions_key) if key]


def collect_candidate_data(
    candidate: Candidate, cv_paths: dict[int, str] | None = None, video_paths: dict[int, str] | None = None
) -> dict[str, Any]:
    """Everything we hold about the person, as JSON-ready data (``*_paths``: row id → file in the zip)."""
    cv_paths = cv_paths or {}
    applications = load_candidate_applications(candidate)
    interviews: dict[int, list[InterviewInvitation]] = {}
    for invitation in load_candidate_interviews(applications):
        interviews.setdefault(invitation.application_id, []).append(invitation)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _iso(utcnow()),
        "organization": {"name": candidate.organization.name, "slug": candidate.organization.slug},
        "candidate": {
            "name": candidate.name,
            "email": candidate.email,
            "phone": candidate.phone,
            "location": candidate.location,
            "linkedin_url": candidate.linkedin_url,
            "portfolio_url": candidate.portfolio_url,
            "language": candidate.language,
            "created_at": _iso(candidate.created_at),
            "updated_at": _iso(candidate.updated_at),
        },
        "consents": {
            "privacy_notice_accepted_at": _iso(candidate.privacy_accepted_at),
            "talent_pool_consent_at": _iso(candidate.talent_pool_consent_at),
            "retention_notice_sent_at": _iso(candidate.retention_notice_sent_at),
        },
        "applications": [
            {
                **_application_data(application, cv_paths.get(application.id)),
                "interviews": [
                    _interview_data(invitation, video_paths or {})
                    for invitation in interviews.get(application.id, [])
                ],
            }
            for application in applications
        ],
        "portal": _portal_data(candidate),
    }


def _application_data(application: Application, cv_path: str | None) -> dict[str, Any]:
    return {
        "reference": application.public_id,
        "job": {"title": application.job.title, "slug": application.job.slug},
        "stage": application.stage,
        "submitted_at": _iso(application.submitted_at),
        "closed_at": _iso(application.closed_at),
        "cover_note": application.cover_note,
        "screening_answer_flagged": application.knockout,
        "answers": [
            {"question": answer.question_label, "answer": answer.value} for answer in application.answers
        ],
        "stage_history": [
            {
                "from": change.from_stage,
                "to": change.to_stage,
                "changed_at": _iso(change.changed_at),
                "changed_by": _changed_by(change.to_stage, change.actor_user_id, change.from_stage),
            }
            for change in application.stage_changes
        ],
        "cv": None
        if not application.cv_key
        else {
            "filename": application.cv_filename,
            "content_type": application.cv_content_type,
            "size": application.cv_size,
            "file_in_this_archive": cv_path,
            "text_we_extracted": application.cv_text,
        },
        "attribution": {name: getattr(application, name) for name in ATTRIBUTION_FIELDS},
    }


def _interview_data(invitation: InterviewInvitation, video_paths: dict[int, str]) -> dict[str, Any]:
    answers = sorted(invitation.answers, key=lambda answer: answer.question.position)
    return {
        "interview": invitation.template.name,
        "state": invitation.state.value,
        "sent_at": _iso(invitation.sent_at),
        "deadline": _iso(invitation.deadline),
        "completed_at": _iso(invitation.completed_at),
        "answers": [
            {
                "question": answer.question.prompt_text,
                "practice": answer.question.is_practice,
                "kind": answer.kind.value,
                "text": answer.text,
                "submitted_at": _iso(answer.submitted_at),
                "duration_seconds": answer.duration_seconds,
                "transcript_we_made": answer.transcript or None,
                "video_in_this_archive": video_paths.get(answer.id),
            }
            for answer in answers
        ],
    }


def _changed_by(to_stage: str, actor_user_id: int | None, from_stage: str | None) -> str:
    # Staff identities are colleagues' personal data, not the candidate's: say who in kind only.
    if actor_user_id is not None:
        return "staff"
    if to_stage == ApplicationStage.WITHDRAWN.value:
        return "you"
    return "system" if from_stage is not None else "you (application sent)"


def _portal_data(candidate: Candidate) -> dict[str, Any]:
    links = db.session.scalars(
        db.select(CandidateAccessToken)
        .where(CandidateAccessToken.candidate_id == candidate.id)
        .order_by(CandidateAccessToken.created_at)
    )
    sessions = db.session.scalars(
        db.select(CandidateSession)
        .where(CandidateSession.candidate_id == candidate.id)
        .order_by(CandidateSession.created_at)
    )
    exports = db.session.scalars(
        db.select(DataExport).where(DataExport.candidate_id == candidate.id).order_by(DataExport.created_at)
    )
    return {
        "sign_in_links": [
            {"created_at": _iso(t.created_at), "expires_at": _iso(t.expires_at), "used_at": _iso(t.used_at)}
            for t in links
        ],
        "sessions": [
            {
                "created_at": _iso(s.created_at),
                "expires_at": _iso(s.expires_at),
                "ended_at": _iso(s.revoked_at),
            }
            for s in sessions
        ],
        "data_exports": [
            {"created_at": _iso(e.created_at), "expires_at": _iso(e.expires_at)} for e in exports
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def archive_name(filename: str | None, fallback: str) -> str:
    """A file name safe inside a zip: no folders, no control characters, ASCII only."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9 ._()+-]", "_", name).strip(" .")
    return name or fallback


def write_candidate_archive(candidate: Candidate, destination: BinaryIO) -> None:
    """Write a zip of data.json, the candidate's CVs and interview recordings, streaming each file."""
    storage = get_storage()
    cv_paths: dict[int, str] = {}
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        applications = load_candidate_applications(candidate)
        for number, application in enumerate(applications, start=1):
            if not application.cv_key:
                continue
            path = f"cv/{number}-{archive_name(application.cv_filename, 'cv')}"
            try:
                with storage.open(application.cv_key) as source, archive.open(path, "w") as target:
                    shutil.copyfileobj(source, target, CHUNK_SIZE)
            except ObjectNotFound:
                logger.warning("CV of application %s is missing from storage", application.id)
                continue
            cv_paths[application.id] = path
        video_paths: dict[int, str] = {}
        for number, invitation in enumerate(load_candidate_interviews(applications), start=1):
            for answer in invitation.answers:
                if not answer.video_key:
                    continue
                extension = "mp4" if "mp4" in (answer.video_content_type or "") else "webm"
                path = f"interviews/{number}-question-{answer.question.position + 1}.{extension}"
                try:
                    with storage.open(answer.video_key) as source, archive.open(path, "w") as target:
                        shutil.copyfileobj(source, target, CHUNK_SIZE)
                except ObjectNotFound:
                    logger.warning("Video of interview answer %s is missing from storage", answer.id)
                    continue
                video_paths[answer.id] = path
        data = collect_candidate_data(candidate, cv_paths, video_paths)
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))


# -- erasure --------------------------------------------------------------------------------


def delete_candidate_data(candidate: Candidate, *, reason: str, actor: User | None = None) -> None:
    """Erase the person: candidate, applications, answers, interviews, stage history, links, sessions, files.

    Flushes, never commits. Stored files (CVs, export zips, interview recordings) are deleted after the caller's
    commit. An audit event "candidate.deleted" keeps counts and the reason, no personal data.
    """
    applications = load_candidate_applications(candidate)
    exports = db.session.scalars(db.select(DataExport).where(DataExport.candidate_id == candidate.id)).all()
    interviews = load_candidate_interviews(applications)
    interview_answers = [answer for invitation in interviews for answer in invitation.answers]
    keys = [a.cv_key for a in applications if a.cv_key] + [e.storage_key for e in exports if e.storage_key]
    keys += [key for answer in interview_answers for key in answer_file_keys(answer)]
    counts = {
        "applications": len(applications),
        "answers": sum(len(a.answers) for a in applications),
        "stage_changes": sum(len(a.stage_changes) for a in applications),
        "files": len(keys),
    }
    if interviews:
        counts |= {"interviews": len(interviews), "interview_answers": len(interview_answers)}
    organization_id, candidate_id = candidate.organization_id, candidate.id
    for model in (CandidateAccessToken, CandidateSession, DataExport):
        db.session.execute(db.delete(model).where(model.candidate_id == candidate_id))
    # Deleted through the ORM (not only ON DELETE CASCADE), so the session forgets them too.
    for invitation in interviews:
        db.session.delete(invitation)  # cascades to its loaded answers
    for application in applications:
        db.session.delete(application)  # cascades to its loaded answers and stage history
    db.session.delete(candidate)
    record_audit(
        organization_id, actor, "candidate.deleted", "candidate", candidate_id, reason=reason, **counts
    )
    db.session.flush()
    delete_files_after_commit(keys)
