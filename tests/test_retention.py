# SPDX-License-Identifier: AGPL-3.0-or-later
"""The retention job: exactly the expired candidates go, with their files; notices go out once."""

from __future__ import annotations

import io
import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from app.core.extensions import db
from app.core.storage import get_storage
from app.models import (
    Application,
    ApplicationAnswer,
    ApplicationStage,
    ApplicationStageChange,
    AuditEvent,
    Candidate,
    CandidateAccessToken,
    CandidateSession,
    DataExport,
    Job,
    JobStatus,
    Organization,
    Role,
    utcnow,
)
from app.retention.services import (
    ANONYMIZED_NAME,
    RetentionReport,
    StepKind,
    find_retention_steps,
)
from app.retention.tasks import apply_retention, run_retention
from tests.factories import make_organization, make_user
from tests.helpers import sent_mail
from tests.test_applications import make_job, stored_files
from tests.test_uploads import minimal_pdf

NOW = datetime(2030, 6, 1, 3, 30, tzinfo=UTC)


def days_ago(days: int, now: datetime = NOW) -> datetime:
    """A moment ``days`` days before ``now``."""
    return now - timedelta(days=days)


def store_file(prefix: str = "cvs") -> str:
    """A tiny PDF saved in the real storage; returns its key."""
    return get_storage().save(io.BytesIO(minimal_pdf()), prefix=prefix, content_type="application/pdf").key


def add_application(
    candidate: Candidate,
    job: Job,
    *,
    closed_at: datetime | None = None,
    stage: ApplicationStage = ApplicationStage.NEW,
) -> Application:
    """An application with a stored CV, a cover note and one answer."""
    application = Application(
        organization_id=job.organization_id,
        job_id=job.id,
        candidate=candidate,
        public_id=secrets.token_urlsafe(32),
        stage=stage,
        cover_note="I like robots.",
        cv_key=store_file(),
        cv_filename="cv.pdf",
        cv_content_type="application/pdf",
        cv_size=len(minimal_pdf()),
        cv_text="Curriculum vitae of a robot whisperer",
        closed_at=closed_at,
    )
    application.answers = [ApplicationAnswer(question_label="Favourite robot?", value="R2-D2")]
    db.session.add(application)
    db.session.flush()
    return application


def make_candidate(
    organization: Organization,
    job: Job,
    name: str,
    *,
    closed_at: datetime | None = None,
    talent_pool: bool = False,
    language: str | None = None,
) -> Candidate:
    """A candidate with one application to ``job``, closed at ``closed_at`` (None: open)."""
    candidate = Candidate(
        organization_id=organization.id,
        name=name,
        email=f"{name.lower()}@example.com",
        phone="+39 02 1234 5678",
        location="Milan",
        linkedin_url=f"https://www.linkedin.com/in/{name.lower()}",
        language=language,
        privacy_accepted_at=days_ago(900),
        talent_pool_consent_at=days_ago(900) if talent_pool else None,
    )
    db.session.add(candidate)
    add_application(candidate, job, closed_at=closed_at)
    return candidate


@pytest.fixture
def population(app) -> dict[str, int]:
    """Candidates in every situation, in an organization keeping data 180 days (365 in the talent pool)."""
    with app.app_context():
        acme = make_organization(name="Acme")
        make_user(acme, Role.ADMIN, email="admin@acme.example")
        job = make_job(acme)
        other_job = make_job(acme, title="Gear Polisher")
        closed_job = make_job(acme, title="Old Job", status=JobStatus.CLOSED, closed_at=days_ago(200))
        ids: dict[str, int] = {}

        def remember(candidate: Candidate) -> None:
            db.session.flush()
            ids[candidate.name] = candidate.id

        remember(make_candidate(acme, job, "Expired", closed_at=days_ago(181)))
        remember(make_candidate(acme, job, "Exactly", closed_at=days_ago(180)))
        remember(make_candidate(acme, job, "Noticed", closed_at=days_ago(175)))
        remember(make_candidate(acme, job, "Recent", closed_at=days_ago(100)))
        remember(make_candidate(acme, job, "Pooled", closed_at=days_ago(200), talent_pool=True))
        remember(make_candidate(acme, job, "Poolexpired", closed_at=days_ago(366), talent_pool=True))
        remember(make_candidate(acme, closed_job, "Closedjob"))
        still_open = make_candidate(acme, job, "Stillopen", closed_at=days_ago(400))
        add_application(still_open, other_job)
        remember(still_open)
        withdrawn = make_candidate(acme, other_job, "Withdrawn")
        withdrawal = withdrawn.applications[0]
        withdrawal.stage = ApplicationStage.WITHDRAWN
        withdrawal.stage_changes = [
            ApplicationStageChange(
                organization_id=acme.id, from_stage="new", to_stage="withdrawn", changed_at=days_ago(190)
            )
        ]
        remember(withdrawn)
        patient = make_organization(name="Patient", retention_days=730, talent_pool_retention_days=730)
        remember(make_candidate(patient, make_job(patient), "Elsewhere", closed_at=days_ago(400)))
        db.session.commit()
        ids["org:acme"], ids["org:patient"] = acme.id, patient.id
    return ids


EXPIRED = {"Expired", "Exactly", "Poolexpired", "Closedjob", "Withdrawn"}
KEPT = {"Noticed", "Recent", "Pooled", "Stillopen", "Elsewhere"}


def candidate_names(app) -> set[str]:
    """The names of every candidate still in the database."""
    with app.app_context():
        return set(db.session.scalars(db.select(Candidate.name)))


def cv_keys(app, names: set[str]) -> set[str]:
    """The storage keys of these candidates' CVs."""
    with app.app_context():
        return set(
            db.session.scalars(db.select(Application.cv_key).join(Candidate).where(Candidate.name.in_(names)))
        )


def retention(app, now: datetime = NOW) -> RetentionReport:
    """One run of the retention job at ``now``."""
    with app.app_context():
        report = run_retention(now)
        db.session.commit()
        return report


def client_sees_the_portal_form(app, url: str) -> bool:
    """Whether the link in the notice opens the page where candidates ask for a portal link."""
    response = app.test_client().get(url.removeprefix("http://localhost"))
    return response.status_code == 200 and 'name="email"' in response.get_data(as_text=True)


def test_the_selection_finds_exactly_the_expired_and_the_week_ahead(app, population):
    with app.app_context():
        by_id = {candidate_id: name for name, candidate_id in population.items() if ":" not in name}
        steps = find_retention_steps(db.session.get(Organization, population["org:acme"]), NOW)
        assert {by_id[step.candidate_id]: step.kind for step in steps} == {
            **dict.fromkeys(EXPIRED, StepKind.ERASE),
            "Noticed": StepKind.NOTICE,
        }
        noticed = next(step for step in steps if step.kind == StepKind.NOTICE)
        assert noticed.due_at == NOW + timedelta(days=5)
        assert find_retention_steps(db.session.get(Organization, population["org:patient"]), NOW) == []


def test_the_job_deletes_exactly_the_expired_candidates_with_their_files_and_a_rerun_deletes_nothing(
    app, population
):
    files_before = set(stored_files(app))
    expired_keys, kept_keys = cv_keys(app, EXPIRED), cv_keys(app, KEPT)
    assert len(files_before) == len(expired_keys) + len(kept_keys) == 11

    report = retention(app)

    assert report == RetentionReport(notices_sent=1, deleted=len(EXPIRED), anonymized=0)
    assert candidate_names(app) == KEPT
    with app.app_context():
        assert all(get_storage().stat(key) is None for key in expired_keys)
        assert all(get_storage().stat(key) is not None for key in kept_keys)
        assert db.session.scalar(db.select(db.func.count(Application.id))) == len(kept_keys)
        deletions = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "candidate.deleted"))
        assert sorted(event.details["reason"] for event in deletions) == ["retention"] * len(EXPIRED)
    assert len(stored_files(app)) == len(files_before) - len(expired_keys)

    files_after = set(stored_files(app))
    mails = len(sent_mail(app))
    assert retention(app) == RetentionReport()
    assert candidate_names(app) == KEPT
    assert set(stored_files(app)) == files_after
    assert len(sent_mail(app)) == mails


def test_the_notice_goes_out_once_a_week_ahead_then_the_data_goes(app, population):
    assert retention(app, days_ago(3)).notices_sent == 3  # Expired, Exactly and Poolexpired: not Noticed
    assert "noticed@example.com" not in {message.to for message in sent_mail(app)}

    assert retention(app).notices_sent == 1
    notice = next(message for message in sent_mail(app) if message.to == "noticed@example.com")
    assert notice.subject == "Your data at Acme will be deleted after June 6, 2030"
    headers = dict(notice.headers)
    assert headers["Content-Language"] == "en" and "Reply-To" not in headers
    assert "keeps candidates' data for 180 days" in notice.text and "delete your data" in notice.text
    with app.app_context():
        noticed = db.session.get(Candidate, population["Noticed"])
        assert noticed.retention_notice_sent_at == NOW
        portal = f"http://localhost/portal/link?org={noticed.organization.slug}"
    assert portal in notice.text and f'href="{portal}"' in notice.html
    assert "Noticed" in notice.html and "June 6, 2030" in notice.html
    assert client_sees_the_portal_form(app, portal)

    for later in (NOW, NOW + timedelta(days=1), NOW + timedelta(days=4, hours=23)):
        assert retention(app, later) == RetentionReport()
    assert len(sent_mail(app)) == 4

    assert retention(app, NOW + timedelta(days=5)) == RetentionReport(deleted=1)
    assert candidate_names(app) == KEPT - {"Noticed"}


def test_the_notice_speaks_the_candidates_language_and_says_what_anonymizing_keeps(app):
    # Without the candidate portal, the notice offers a reply that reaches an administrator.
    app.view_functions.pop("portal.request_link")
    with app.app_context():
        organization = make_organization(name="Aurora", default_language="it", retention_action="anonymize")
        make_user(organization, Role.ADMIN, email="admin@aurora.example")
        job = make_job(organization)
        make_candidate(organization, job, "Giulia", closed_at=days_ago(176))
        make_candidate(organization, job, "Ada", closed_at=days_ago(176), language="en", talent_pool=True)
        organization.talent_pool_retention_days = 180
        db.session.commit()

    assert retention(app).notices_sent == 2
    mails = {message.to: message for message in sent_mail(app)}
    italian, english = mails["giulia@example.com"], mails["ada@example.com"]
    assert dict(italian.headers)["Content-Language"] == "it"
    assert "5 giugno 2030" in italian.text
    assert dict(english.headers)["Content-Language"] == "en"
    assert english.subject == "Your personal data at Aurora will be erased after June 5, 2030"
    assert "talent pool" in english.text and "anonymous record" in english.text
    assert "reply to this e-mail before that date" in english.text and "/portal/" not in english.text
    assert dict(english.headers)["Reply-To"] == "admin@aurora.example"


def test_applying_again_postpones_the_erasure_and_brings_a_new_notice(app, population):
    retention(app)
    with app.app_context():
        noticed = db.session.get(Candidate, population["Noticed"])
        reapplied = add_application(noticed, make_job(noticed.organization, title="New Job"))
        reapplication_id = reapplied.id
        db.session.commit()
    assert retention(app, NOW + timedelta(days=30)).deleted == 0
    assert "Noticed" in candidate_names(app)

    closed_at = NOW + timedelta(days=40)
    with app.app_context():
        db.session.get(Application, reapplication_id).closed_at = closed_at
        db.session.commit()
    assert retention(app, closed_at + timedelta(days=172)).notices_sent == 0
    assert retention(app, closed_at + timedelta(days=173)).notices_sent == 1
    notices = [message for message in sent_mail(app) if message.to == "noticed@example.com"]
    assert [notice.subject.rsplit(" after ", 1)[1] for notice in notices] == [
        "January 7, 2031",
        "June 6, 2030",
    ]
    assert "Noticed" in candidate_names(app)


def test_anonymizing_erases_the_person_and_files_but_keeps_the_applications(app):
    with app.app_context():
        organization = make_organization(name="Stats Inc", retention_action="anonymize")
        job = make_job(organization)
        ada = make_candidate(organization, job, "Ada", closed_at=days_ago(200), language="it")
        add_application(ada, make_job(organization, title="Second"), closed_at=days_ago(190))
        recent = make_candidate(organization, job, "Recent", closed_at=days_ago(10))
        export_key = store_file("exports")
        db.session.add_all(
            [
                DataExport(
                    candidate_id=ada.id,
                    storage_key=export_key,
                    token_hash=secrets.token_hex(32),
                    expires_at=days_ago(-1),
                ),
                CandidateAccessToken(
                    candidate_id=ada.id, token_hash=secrets.token_hex(32), expires_at=days_ago(-1)
                ),
                CandidateSession(
                    candidate_id=ada.id, token_hash=secrets.token_hex(32), expires_at=days_ago(-1)
                ),
            ]
        )
        db.session.commit()
        ada_id, recent_id = ada.id, recent.id
        ada_files = {application.cv_key for application in ada.applications} | {export_key}
        recent_files = {application.cv_key for application in recent.applications}
    assert len(stored_files(app)) == 4

    assert retention(app) == RetentionReport(anonymized=1)

    with app.app_context():
        ada = db.session.get(Candidate, ada_id)
        assert ada.name == ANONYMIZED_NAME
        assert ada.email.startswith("anonymized-") and ada.email.endswith("@invalid")
        assert (ada.phone, ada.location, ada.linkedin_url, ada.portfolio_url) == ("", "", None, None)
        assert ada.talent_pool_consent_at is None and ada.language == "it"
        assert len(ada.applications) == 2
        for application in ada.applications:
            assert application.stage == ApplicationStage.NEW and application.closed_at is not None
            assert (application.cv_key, application.cv_filename, application.cv_size) == (None, None, None)
            assert application.cv_text == "" and application.cover_note == ""
            assert [answer.value for answer in application.answers] == [""]
            assert [answer.question_label for answer in application.answers] == ["Favourite robot?"]
        for model in (DataExport, CandidateAccessToken, CandidateSession):
            assert db.session.scalars(db.select(model)).all() == []
        assert all(get_storage().stat(key) is None for key in ada_files)
        assert all(get_storage().stat(key) is not None for key in recent_files)
        (event,) = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "candidate.anonymized")
        )
        assert event.subject_id == ada_id and event.actor_user_id is None
        recorded = json.dumps(event.details)
        assert "ada" not in recorded.lower() and "milan" not in recorded.lower()
        assert db.session.get(Candidate, recent_id).name == "Recent"
        anonymous_email = ada.email
    assert len(stored_files(app)) == 1

    assert retention(app) == RetentionReport()
    assert retention(app, NOW + timedelta(days=400)) == RetentionReport(anonymized=1)
    with app.app_context():
        assert db.session.get(Candidate, ada_id).email == anonymous_email
        assert db.session.get(Candidate, recent_id).name == ANONYMIZED_NAME


def test_a_failing_organization_keeps_the_work_done_and_stops_nobody(app, population):
    with app.app_context():
        db.session.get(Organization, population["org:acme"]).retention_action = "shred"
        db.session.get(Organization, population["org:patient"]).retention_days = 30
        db.session.commit()

    report = retention(app)

    # Acme's policy is unreadable: its notice and erasures fail, and Patient's candidate still goes.
    assert report == RetentionReport(deleted=1, failed=len(EXPIRED) + 1)
    assert candidate_names(app) == EXPIRED | KEPT - {"Elsewhere"}
    assert sent_mail(app) == []


def test_the_nightly_task_runs_at_half_past_three_with_the_real_clock(app):
    with app.app_context():
        organization = make_organization()
        make_candidate(organization, make_job(organization), "Old", closed_at=utcnow() - timedelta(days=181))
        make_candidate(organization, make_job(organization), "Young", closed_at=utcnow() - timedelta(days=1))
        db.session.commit()

    assert apply_retention.call_local() == RetentionReport(deleted=1)

    assert candidate_names(app) == {"Young"}
    runs_at = apply_retention.task_class().validate_datetime
    assert runs_at(datetime(2030, 1, 2, 3, 30)) and not runs_at(datetime(2030, 1, 2, 4, 30))
