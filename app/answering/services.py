# SPDX-License-Identifier: AGPL-3.0-or-later
"""The rules of answering an interview: opening, question order, answers, resuming and finishing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.candidates.privacy import delete_files_after_commit
from app.core.errors import Conflict, Gone, Invalid, NotFound
from app.core.extensions import db
from app.core.storage import (
    FileTooLarge,
    MultipartTicket,
    StorageError,
    UploadTicket,
    get_storage,
    new_key,
    organization_prefix,
)
from app.core.storage.uploads import recording_ticket, recording_type, verify_recording
from app.interviews.invitations import expire_invitation, invitation_for_token
from app.journey.attribution import Attribution
from app.journey.services import record_event
from app.media.services import queue_answer_processing
from app.models import ApplicationStage, EventType, User
from app.models.interview import (
    AnswerType,
    InterviewAnswer,
    InterviewInvitation,
    InterviewQuestion,
    InterviewUpload,
    InvitationState,
    ProcessingState,
    TranscriptState,
)
from app.pipeline.stages import advance_application

ANSWER_PREFIX = "answers"
# Browsers record roughly 1-5 MB a minute; 300 MB leaves room for long answers on good cameras.
ANSWER_MAX_BYTES_CAP = 300 * 1024 * 1024
# Larger answers go to S3 in parts, each retried on its own instead of the whole file.
MULTIPART_THRESHOLD = 64 * 1024 * 1024
MULTIPART_PART_SIZE = 16 * 1024 * 1024
MULTIPART_MIN_PART_SIZE = 5 * 1024 * 1024
# Rough minutes for a written answer, for the estimate on the welcome page.
TEXT_ANSWER_SECONDS = 180
CLOSED_STATES = (InvitationState.EXPIRED, InvitationState.CANCELLED)


class InterviewGone(Gone):
    """The invitation can no longer be answered; carries it so the page can say when and whom to ask."""

    def __init__(self, invitation: InterviewInvitation) -> None:
        super().__init__(str(_l("This interview link has expired.")))
        self.invitation = invitation


@dataclass(frozen=True)
class InterviewOverview:
    """What the welcome page tells the candidate before they start."""

    question_count: int
    has_practice: bool
    minutes: int
    retakes_allowed: bool
    has_video: bool


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def answer_max_bytes() -> int:
    """The largest answer video accepted: configurable, never above 300 MB."""
    configured = int(current_app.config.get("INTERVIEW_ANSWER_MAX_BYTES") or ANSWER_MAX_BYTES_CAP)
    return min(configured, ANSWER_MAX_BYTES_CAP)


def find_invitation(raw_token: str) -> InterviewInvitation:
    """The invitation behind a personal link, whatever its state; NotFound if there is none.

    Unlike find_invitation_by_token this keeps a closed invitation, so its page can name the
    deadline and whom to contact, and the expiry it notes is committed rather than rolled back.
    """
    invitation = invitation_for_token(raw_token)
    if invitation is None:
        raise NotFound(str(_l("This interview link is not valid. Check that you copied all of it.")))
    return invitation


def _record(invitation: InterviewInvitation, type: EventType, **data: int) -> None:
    application = invitation.application
    record_event(
        application.job.organization,
        type=type,
        job=application.job,
        attribution=Attribution(),
        visitor_hash=None,
        data=data,
    )


def check_invitation_open(invitation: InterviewInvitation, now: datetime | None = None) -> None:
    """Raise InterviewGone when cancelled, expired or overdue (an overdue one is marked expired)."""
    now = now or _now()
    if invitation.state in CLOSED_STATES:
        raise InterviewGone(invitation)
    if invitation.state != InvitationState.COMPLETED and _aware(invitation.deadline) <= now:
        expire_invitation(invitation, now)
        raise InterviewGone(invitation)


def load_open_invitation(raw_token: str) -> InterviewInvitation:
    """The invitation of a link that may still be used (completed ones included)."""
    invitation = find_invitation(raw_token)
    check_invitation_open(invitation)
    return invitation


def invitation_contact(invitation: InterviewInvitation) -> str | None:
    """The e-mail of the person who sent the invitation, for questions about it."""
    if invitation.invited_by_id is None:
        return None
    user = db.session.get(User, invitation.invited_by_id)
    return user.email if user is not None else None


def ordered_questions(invitation: InterviewInvitation) -> list[InterviewQuestion]:
    """The questions in the order they are answered: practice first, then by position."""
    return sorted(invitation.template.questions, key=lambda q: (not q.is_practice, q.position, q.id))


def question_at(invitation: InterviewInvitation, ordinal: int) -> InterviewQuestion:
    """The question at a 1-based place in the answering order; NotFound outside it."""
    questions = ordered_questions(invitation)
    if not 1 <= ordinal <= len(questions):
        raise NotFound(str(_l("This interview has no such question.")))
    return questions[ordinal - 1]


def ordinal_of(invitation: InterviewInvitation, question: InterviewQuestion) -> int:
    """The 1-based place of a question in the answering order."""
    return ordered_questions(invitation).index(question) + 1


def answer_type_for(invitation: InterviewInvitation, question: InterviewQuestion) -> AnswerType:
    """How this candidate answers the question: in writing when they asked for the accommodation."""
    return AnswerType.TEXT if invitation.text_accommodation else question.answer_type


def needs_device_check(invitation: InterviewInvitation) -> bool:
    """Whether any question will be answered on camera."""
    return any(
        answer_type_for(invitation, question) == AnswerType.VIDEO
        for question in ordered_questions(invitation)
    )


def describe_interview(invitation: InterviewInvitation) -> InterviewOverview:
    """Counts and an approximate duration for the welcome page (practice excluded)."""
    real = [question for question in ordered_questions(invitation) if not question.is_practice]
    seconds = 0
    for question in real:
        if answer_type_for(invitation, question) == AnswerType.VIDEO:
            seconds += (question.think_seconds or 30) + question.max_seconds
        else:
            seconds += TEXT_ANSWER_SECONDS
    return InterviewOverview(
        question_count=len(real),
        has_practice=len(real) < len(invitation.template.questions),
        minutes=max(1, math.ceil(seconds / 60)),
        retakes_allowed=any(question.retakes > 0 for question in real),
        has_video=needs_device_check(invitation),
    )


def find_answer(invitation: InterviewInvitation, question: InterviewQuestion) -> InterviewAnswer | None:
    """The one answer row of this invitation to this question, if any."""
    return db.session.scalar(
        db.select(InterviewAnswer).where(
            InterviewAnswer.invitation_id == invitation.id, InterviewAnswer.question_id == question.id
        )
    )


def submitted_question_ids(invitation: InterviewInvitation) -> set[int]:
    """Questions that already have a submitted answer."""
    return set(
        db.session.scalars(
            db.select(InterviewAnswer.question_id).where(
                InterviewAnswer.invitation_id == invitation.id, InterviewAnswer.submitted_at.is_not(None)
            )
        )
    )


def first_unanswered(invitation: InterviewInvitation) -> int | None:
    """The 1-based place of the first question without a submitted answer, or None when all are."""
    done = submitted_question_ids(invitation)
    for ordinal, question in enumerate(ordered_questions(invitation), start=1):
        if question.id not in done:
            return ordinal
    return None


def missing_required(invitation: InterviewInvitation) -> list[int]:
    """1-based places of required (non-practice) questions still unanswered."""
    done = submitted_question_ids(invitation)
    return [
        ordinal
        for ordinal, question in enumerate(ordered_questions(invitation), start=1)
        if question.required and not question.is_practice and question.id not in done
    ]


def open_invitation(invitation: InterviewInvitation) -> None:
    """Mark a freshly sent invitation as opened (once)."""
    if invitation.state == InvitationState.SENT:
        invitation.state = InvitationState.OPENED
        invitation.opened_at = _now()
        _record(invitation, EventType.INTERVIEW_OPENED)
        db.session.flush()


def _ensure_answerable(invitation: InterviewInvitation) -> None:
    check_invitation_open(invitation)
    if invitation.state == InvitationState.COMPLETED:
        raise Conflict(str(_l("This interview is already complete; answers can no longer change.")))


def request_text_accommodation(invitation: InterviewInvitation) -> None:
    """Let the candidate answer every video question in writing, if the interview allows it."""
    _ensure_answerable(invitation)
    if not invitation.template.allow_text_accommodation:
        raise Invalid(str(_l("This interview does not offer written answers instead of video.")))
    invitation.text_accommodation = True
    db.session.flush()


def record_device_check(invitation: InterviewInvitation, passed: bool) -> None:
    """Count a camera and microphone check (no details about the device are kept)."""
    _ensure_answerable(invitation)
    _record(invitation, EventType.DEVICE_CHECK_PASSED if passed else EventType.DEVICE_CHECK_FAILED)
    db.session.flush()


def _upsert_answer(
    invitation: InterviewInvitation, question: InterviewQuestion, kind: AnswerType
) -> InterviewAnswer:
    answer = find_answer(invitation, question)
    if answer is None:
        answer = InterviewAnswer(invitation_id=invitation.id, question_id=question.id, kind=kind, attempts=0)
        db.session.add(answer)
    answer.kind = kind
    return answer


def start_question(invitation: InterviewInvitation, question: InterviewQuestion) -> InterviewAnswer:
    """Note that the candidate opened a question (once per question) and that the interview started."""
    _ensure_answerable(invitation)
    now = _now()
    if invitation.state in (InvitationState.SENT, InvitationState.OPENED):
        invitation.opened_at = invitation.opened_at or now
        invitation.state = InvitationState.STARTED
        invitation.started_at = now
    answer = _upsert_answer(invitation, question, answer_type_for(invitation, question))
    if answer.started_at is None:
        answer.started_at = now
        _record(invitation, EventType.QUESTION_STARTED, question=ordinal_of(invitation, question))
    db.session.flush()
    return answer


def _submitted(invitation: InterviewInvitation, question: InterviewQuestion, answer: InterviewAnswer) -> None:
    now = _now()
    answer.started_at = answer.started_at or now
    answer.submitted_at = now
    # The attempt lets drop-off counts ignore retakes of the same question.
    _record(
        invitation,
        EventType.QUESTION_SUBMITTED,
        question=ordinal_of(invitation, question),
        attempt=answer.attempts,
    )


def submit_text_answer(
    invitation: InterviewInvitation, question: InterviewQuestion, text: str
) -> InterviewAnswer:
    """Save a written answer (replacing an earlier one), within the question's character limit."""
    _ensure_answerable(invitation)
    if answer_type_for(invitation, question) != AnswerType.TEXT:
        raise Invalid(str(_l("This question is answered on video.")), field="text")
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(str(_l("Write your answer before sending it.")), field="text")
    if len(text) > question.max_chars:
        raise Invalid(
            str(
                _l(
                    "Your answer has %(count)d characters; the limit is %(limit)d.",
                    count=len(text),
                    limit=question.max_chars,
                )
            ),
            field="text",
        )
    answer = _upsert_answer(invitation, question, AnswerType.TEXT)
    old_keys = [
        key for key in (answer.video_key, answer.mp4_key, answer.poster_key, answer.captions_key) if key
    ]
    answer.text = text
    answer.video_key = answer.video_content_type = answer.video_size = None
    answer.mp4_key = answer.poster_key = answer.captions_key = None
    answer.attempts += 1
    _submitted(invitation, question, answer)
    db.session.flush()
    delete_files_after_commit(old_keys)
    return answer


def _check_video_allowed(
    invitation: InterviewInvitation, question: InterviewQuestion
) -> InterviewAnswer | None:
    _ensure_answerable(invitation)
    if answer_type_for(invitation, question) != AnswerType.VIDEO:
        raise Invalid(str(_l("This question is answered in writing.")), field="key")
    return find_answer(invitation, question)


def _out_of_attempts(question: InterviewQuestion, answer: InterviewAnswer | None) -> bool:
    return answer is not None and answer.attempts >= question.retakes + 1


def answer_prefix(invitation: InterviewInvitation) -> str:
    """Where this invitation's answer recordings are uploaded."""
    return organization_prefix(invitation.organization_id, f"{ANSWER_PREFIX}/{invitation.id}")


def _pending_upload(
    invitation: InterviewInvitation, question: InterviewQuestion, key: str
) -> InterviewUpload | None:
    return db.session.scalar(
        db.select(InterviewUpload).where(
            InterviewUpload.key == key,
            InterviewUpload.invitation_id == invitation.id,
            InterviewUpload.question_id == question.id,
        )
    )


def _ticket_lifetime(invitation: InterviewInvitation) -> int:
    """Seconds an upload ticket lives: the storage's usual lifetime, never past the deadline."""
    left = (_aware(invitation.deadline) - _now()).total_seconds()
    return max(1, min(get_storage().url_ttl, int(left)))


def multipart_threshold() -> int:
    """Answers at least this large go to S3 in parts (INTERVIEW_MULTIPART_THRESHOLD, bytes)."""
    return int(current_app.config.get("INTERVIEW_MULTIPART_THRESHOLD") or MULTIPART_THRESHOLD)


def multipart_part_size() -> int:
    """The size of each part of a multipart upload (S3 wants at least 5 MiB but for the last)."""
    configured = int(current_app.config.get("INTERVIEW_MULTIPART_PART_SIZE") or MULTIPART_PART_SIZE)
    return max(configured, MULTIPART_MIN_PART_SIZE)


def answer_upload_ticket(
    invitation: InterviewInvitation,
    question: InterviewQuestion,
    content_type: str,
    resume_key: str | None = None,
    size: int | None = None,
) -> UploadTicket | MultipartTicket:
    """Where the browser uploads one recording of this answer, under this invitation's own prefix.

    ``resume_key`` is the key of an earlier ticket for the same recording (a retry): it is issued
    again, so an upload interrupted after the store kept it is overwritten, never duplicated, and
    a multipart upload only resends the parts the store does not hold. A recording of ``size``
    bytes past the multipart threshold goes in parts where the storage takes them (S3).
    """
    answer = _check_video_allowed(invitation, question)
    if _out_of_attempts(question, answer):
        raise Conflict(str(_l("You have used every take for this question.")))
    content_type = recording_type(content_type)
    if size is not None and size > answer_max_bytes():
        raise Invalid(str(_l("The video is empty or larger than allowed.")), field="size")
    upload = _pending_upload(invitation, question, resume_key) if resume_key else None
    if upload is not None and (upload.content_type != content_type or upload.size != size):
        upload = None
    storage = get_storage()
    lifetime = _ticket_lifetime(invitation)
    if upload is not None and upload.multipart_id:
        return storage.multipart_ticket(
            upload.key,
            upload.multipart_id,
            size=size or 0,
            part_size=multipart_part_size(),
            expires_in=lifetime,
        )
    if upload is None and size and storage.supports_multipart and size >= multipart_threshold():
        key = new_key(answer_prefix(invitation))
        upload = _add_upload(invitation, question, key, content_type, size)
        upload.multipart_id = storage.start_multipart(key, content_type)
        db.session.flush()
        return storage.multipart_ticket(
            key, upload.multipart_id, size=size, part_size=multipart_part_size(), expires_in=lifetime
        )
    ticket = recording_ticket(
        answer_prefix(invitation),
        content_type,
        answer_max_bytes(),
        key=upload.key if upload is not None else None,
        expires_in=lifetime,
    )
    if upload is None:
        _add_upload(invitation, question, ticket.key, content_type, size)
    return ticket


def _add_upload(
    invitation: InterviewInvitation,
    question: InterviewQuestion,
    key: str,
    content_type: str,
    size: int | None,
) -> InterviewUpload:
    upload = InterviewUpload(
        invitation_id=invitation.id, question_id=question.id, key=key, content_type=content_type, size=size
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def _complete_multipart(upload: InterviewUpload) -> None:
    """Join a multipart upload's parts; Invalid past the limit, NotFound while parts are missing."""
    if not upload.multipart_id:
        return
    try:
        get_storage().complete_multipart(
            upload.key, upload.multipart_id, size=upload.size or 0, max_size=answer_max_bytes()
        )
    except FileTooLarge:
        # Aborted in the store; the row goes with the next sweep.
        raise Invalid(str(_l("The video is empty or larger than allowed.")), field="key") from None
    except StorageError:
        # Some part never arrived: the browser sends what is missing and confirms again.
        raise NotFound(str(_l("The upload was not found. Upload the video again."))) from None
    upload.multipart_id = None
    db.session.flush()


def _key_in_use(key: str) -> bool:
    return (
        db.session.scalar(db.select(InterviewAnswer.id).where(InterviewAnswer.video_key == key)) is not None
    )


def _adopt_upload(invitation: InterviewInvitation, question: InterviewQuestion, key: str) -> None:
    """The upload became the answer: forget it, and delete the question's other pending uploads.

    Unfinished multipart uploads stay for the sweep, which aborts them (their parts are not objects).
    """
    pending = db.session.scalars(
        db.select(InterviewUpload).where(
            InterviewUpload.invitation_id == invitation.id, InterviewUpload.question_id == question.id
        )
    ).all()
    done = [upload for upload in pending if upload.key == key or not upload.multipart_id]
    delete_files_after_commit(upload.key for upload in done if upload.key != key)
    for upload in done:
        db.session.delete(upload)


def submit_video_answer(
    invitation: InterviewInvitation, question: InterviewQuestion, key: str, duration_seconds: float | None
) -> InterviewAnswer:
    """Adopt a finished upload as the one video answer to the question, then queue its processing."""
    answer = _check_video_allowed(invitation, question)
    if answer is not None and answer.video_key == key and answer.submitted_at is not None:
        return answer  # a retried confirm after a lost response: already counted
    if _out_of_attempts(question, answer):
        raise Conflict(str(_l("You have used every take for this question.")))
    foreign = str(_l("This upload does not belong to this interview."))
    if ".." in key or not key.startswith(f"{answer_prefix(invitation)}/"):
        raise Invalid(foreign, field="key")
    upload = _pending_upload(invitation, question, key)
    if upload is not None:
        _complete_multipart(upload)
    elif _key_in_use(key):
        # Never two answers on one file: replacing one would delete the other's recording.
        raise Invalid(foreign, field="key")
    stored = verify_recording(
        key, prefix=answer_prefix(invitation), max_size=answer_max_bytes(), foreign=foreign
    )
    content_type, size = stored.content_type, stored.size
    answer = _upsert_answer(invitation, question, AnswerType.VIDEO)
    old_keys = [
        old for old in (answer.video_key, answer.mp4_key, answer.poster_key, answer.captions_key) if old
    ]
    answer.video_key = key
    answer.video_content_type = content_type
    answer.video_size = size
    answer.text = None
    answer.mp4_key = answer.poster_key = answer.captions_key = None
    answer.transcript = ""
    answer.transcript_state = TranscriptState.PENDING
    answer.transcript_error = None
    if duration_seconds is not None and math.isfinite(duration_seconds) and duration_seconds >= 0:
        answer.duration_seconds = min(float(duration_seconds), float(question.max_seconds) + 5)
    else:
        answer.duration_seconds = None
    answer.attempts += 1
    answer.processing_state = ProcessingState.PENDING
    answer.processing_error = None
    answer.processing_attempts = 0
    _submitted(invitation, question, answer)
    _adopt_upload(invitation, question, key)
    db.session.flush()
    delete_files_after_commit(old_keys)
    queue_answer_processing(answer)
    return answer


def finish_interview(invitation: InterviewInvitation) -> None:
    """Complete the interview once every required question has an answer."""
    check_invitation_open(invitation)
    if invitation.state == InvitationState.COMPLETED:
        return
    missing = missing_required(invitation)
    if missing:
        raise Invalid(
            str(
                _l(
                    "Please answer these questions before finishing: %(questions)s.",
                    questions=", ".join(str(ordinal) for ordinal in missing),
                )
            )
        )
    invitation.state = InvitationState.COMPLETED
    invitation.completed_at = _now()
    _record(invitation, EventType.INTERVIEW_COMPLETED)
    advance_application(invitation.application, ApplicationStage.INTERVIEW_COMPLETED, None)
    db.session.flush()
