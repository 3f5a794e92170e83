# SPDX-License-Identifier: AGPL-3.0-or-later
"""The transactional outbox: nothing a request decided on is lost to a queue outage or a dead worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from app.core import after_commit, jobs, mail, outbox
from app.core.extensions import db
from app.media.tasks import GAVE_UP_ERROR, process_answer
from app.models import InterviewAnswer, OutboxKind, OutboxMessage, OutboxStatus, ProcessingState, Role
from app.models.base import utcnow
from config import BASE_DIR
from tests.factories import make_organization, make_user
from tests.fixtures.media import write_video
from tests.fixtures.redis_server import RedisServer
from tests.fixtures.smtp import SmtpServer
from tests.helpers import login, submit, text_of
from tests.test_applications import post_application, published_job
from tests.test_jobs import consumer_environ
from tests.test_mail import use_test_templates
from tests.test_media import answer_of, queued_answer

CONSUMER_TIMEOUT = 60.0


@pytest.fixture
def queued(request: pytest.FixtureRequest) -> Iterator[Callable[[str], Flask]]:
    """Switch the test app to a real queue (Redis when a URL is given, else SQLite); restored after."""
    built: list[Flask] = []

    def switch(redis_url: str = "") -> Flask:
        app = request.getfixturevalue("app")
        app.config.update(JOBS_IMMEDIATE=False, REDIS_URL=redis_url)
        jobs.init_app(app)
        jobs.huey.flush() if not redis_url else None
        built.append(app)
        return app

    yield switch
    for app in built:
        app.config.update(JOBS_IMMEDIATE=True, REDIS_URL="")
        jobs.init_app(app)


class Consumer:
    """A real ``huey_consumer app.worker.huey`` on the test app's database and queue."""

    def __init__(self, app: Flask, tmp_path: Path, **environ: str) -> None:
        self.app, self.tmp_path, self.environ = app, tmp_path, environ
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start a consumer process (graceful on SIGTERM, relaying every second)."""
        self.starts += 1
        log = (self.tmp_path / f"consumer-{self.starts}.log").open("wb")
        env = consumer_environ(
            self.tmp_path,
            self.app.config["REDIS_URL"],
            self.app.config["JOBS_SQLITE_PATH"],
            self.app.config["SQLALCHEMY_DATABASE_URI"],
            SMTP_URL=self.app.config["SMTP_URL"],
            STORAGE_LOCAL_PATH=self.app.config["STORAGE_LOCAL_PATH"],
            OUTBOX_RELAY_INTERVAL="1",
            **self.environ,
        )
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("huey_consumer")), "app.worker.huey", "-w", "2", "-k", "thread",
             "-g", "TERM"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """Send ``signum`` and wait for the process to end."""
        if self.process is None:
            return
        self.process.send_signal(signum)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def logs(self) -> str:
        """Everything every started process printed."""
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.tmp_path.glob("consumer-*.log")))


@pytest.fixture
def consumers(tmp_path: Path) -> Iterator[Callable[..., Consumer]]:
    """Make consumers; every one still running is stopped at the end."""
    made: list[Consumer] = []

    def make(app: Flask, **environ: str) -> Consumer:
        consumer = Consumer(app, tmp_path, **environ)
        made.append(consumer)
        return consumer

    yield make
    for consumer in made:
        consumer.stop(signal.SIGKILL)


def wait_until(
    check: Callable[[], bool], consumer: Consumer, what: str, timeout: float = CONSUMER_TIMEOUT
) -> None:
    """Poll ``check`` until it holds; fail with the consumer's log after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen in {timeout}s:\n{consumer.logs()}")
        time.sleep(0.05)


def mail_rows(app: Flask) -> list[OutboxMessage]:
    """Every mail row, oldest first, detached."""
    with app.app_context():
        rows = list(db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.MAIL)))
        db.session.expunge_all()
        return rows


# -- in-process ------------------------------------------------------------------------------------------


def test_mail_is_a_row_of_the_transaction_that_caused_it(app: Flask) -> None:
    use_test_templates(app)
    with app.app_context():
        organization = make_organization()
        db.session.commit()
        mail.send_mail(
            to="gone@example.com", subject="Rolled back", template="test_notice", candidate="Ada", link="x"
        )
        db.session.rollback()
        assert db.session.scalars(db.select(OutboxMessage)).all() == []

        mail.send_mail(
            to="ada@example.com",
            subject="Committed",
            template="test_notice",
            candidate="Ada",
            organization=organization,
            link="x",
            dedupe_key="test:once",
        )
        mail.send_mail(
            to="ada@example.com",
            subject="Twice",
            template="test_notice",
            candidate="Ada",
            dedupe_key="test:once",
        )
        db.session.commit()
        [row] = db.session.scalars(db.select(OutboxMessage)).all()
        assert row.status == OutboxStatus.DELIVERED and row.attempts == 1  # inline relay in tests
        assert row.organization_id == organization.id and row.delivered_at is not None
    assert [m.subject for m in mail.list_outbox(app.config["MAIL_OUTBOX_PATH"])] == ["Committed"]


def test_failing_delivery_backs_off_then_fails_and_an_admin_retries_it(
    app: Flask, smtp_server: SmtpServer
) -> None:
    use_test_templates(app)
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9"  # nothing listens on the discard port
    with app.app_context():
        organization = make_organization()
        admin = make_user(organization, role=Role.ADMIN)
        other = make_organization()
        mail.send_mail(
            to="ada@example.com",
            subject="Hello",
            template="test_notice",
            candidate="Ada",
            organization=organization,
            link="x",
        )
        mail.send_mail(
            to="bob@example.com",
            subject="Other",
            template="test_notice",
            candidate="Ada",
            organization=other,
            link="x",
        )
        db.session.commit()
        admin_email = admin.email
        row = db.session.scalar(
            db.select(OutboxMessage).where(OutboxMessage.organization_id == organization.id)
        )
        assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error
        first_wait = (row.next_attempt_at - utcnow()).total_seconds()
        assert 50 < first_wait <= 60  # retry_delay, then doubling

        for _ in range(row.max_attempts):  # make every retry due now and let the relay try
            db.session.execute(
                db.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )
            db.session.commit()
            outbox.relay_due()
        db.session.expire_all()
        row = db.session.get(OutboxMessage, row.id)
        assert row.status == OutboxStatus.FAILED and row.attempts == row.max_attempts
        row_id = row.id

    client = app.test_client()
    login(client, admin_email)
    page = text_of(client.get("/admin/deliveries"))
    assert "ada@example.com" in page and "bob@example.com" not in page  # only the admin's organization
    assert "Failed" in page

    app.config["SMTP_URL"] = smtp_server.url
    response = submit(client, "/admin/deliveries", {}, action=f"/admin/deliveries/{row_id}/retry")
    assert response.status_code == 302
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["ada@example.com"]
    with app.app_context():
        assert db.session.get(OutboxMessage, row_id).status == OutboxStatus.DELIVERED
    assert "Nothing is stuck" in text_of(client.get("/admin/deliveries"))


def test_deliveries_page_is_for_admins_only(app: Flask) -> None:
    with app.app_context():
        organization = make_organization()
        recruiter = make_user(organization, role=Role.RECRUITER)
        db.session.commit()
        email = recruiter.email
    client = app.test_client()
    assert client.get("/admin/deliveries").status_code in (302, 401, 403)
    login(client, email)
    assert client.get("/admin/deliveries").status_code == 403


def test_an_answer_whose_worker_died_on_its_last_attempt_is_failed_with_a_reason(
    app: Flask, tiny_webm
) -> None:
    answer_id, _ = queued_answer(app, tiny_webm)
    with app.app_context():
        answer = db.session.get(InterviewAnswer, answer_id)
        answer.processing_state = ProcessingState.PROCESSING  # as a worker that was then killed
        row = outbox.add_message(
            OutboxKind.JOB, process_answer.name, {"args": [answer_id], "kwargs": {}}, max_attempts=2
        )
        row.status, row.attempts = OutboxStatus.DELIVERING, 2
        row.locked_until = utcnow() - timedelta(seconds=1)
        outbox.set_dispatcher(None)  # leave it to the sweep
        try:
            db.session.commit()
        finally:
            jobs.init_app(app)
        outbox.relay_due()
        db.session.expire_all()
        row = db.session.get(OutboxMessage, row.id)
        assert row.status == OutboxStatus.FAILED and "Interrupted 2 times" in row.last_error
    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.FAILED
    assert answer.processing_error == GAVE_UP_ERROR


def test_a_scheduled_slot_runs_once_however_many_consumers_claim_it(app: Flask) -> None:
    slot = utcnow().replace(second=0, microsecond=0)
    lease = timedelta(minutes=5)
    with app.app_context():
        assert jobs.claim_schedule_slot("nightly", slot, "consumer-a", lease)
        assert not jobs.claim_schedule_slot("nightly", slot, "consumer-b", lease)  # same slot
        jobs.release_schedule_slot("nightly")
        assert not jobs.claim_schedule_slot("nightly", slot, "consumer-b", lease)  # ran already
        assert jobs.claim_schedule_slot("nightly", slot + timedelta(minutes=1), "consumer-b", lease)


# -- real consumers, a real Redis ------------------------------------------------------------------------


def test_confirmations_sent_while_the_queue_is_down_go_out_once_it_is_back(
    app_environ: dict[str, str],
    smtp_server: SmtpServer,
    redis_server: RedisServer,
    queued: Callable[[str], Flask],
    consumers: Callable[..., Consumer],
) -> None:
    app_environ["SMTP_URL"] = smtp_server.url
    app = queued(redis_server.url)
    path, _ = published_job(app)
    client = app.test_client()

    redis_server.stop()
    for number in range(3):
        response = post_application(client, path, email=f"candidate{number}@example.com")
        assert response.status_code == 302, text_of(response)
    rows = mail_rows(app)
    assert rows and all(row.status == OutboxStatus.PENDING for row in rows)
    expected = sorted(rcpt for row in rows for rcpt in [row.payload["to"]])
    assert {f"candidate{n}@example.com" for n in range(3)} <= set(expected)

    redis_server.start()
    consumer = consumers(app)
    consumer.start()
    smtp_server.wait_for(len(rows), timeout=CONSUMER_TIMEOUT)
    time.sleep(3)  # a few more relay sweeps: nothing may go out twice
    assert sorted(r for m in smtp_server.messages for r in m.rcpt_tos) == expected
    assert all(row.status == OutboxStatus.DELIVERED for row in mail_rows(app))


def test_mail_committed_while_the_consumer_is_dead_goes_out_once_after_restart(
    app_environ: dict[str, str],
    smtp_server: SmtpServer,
    redis_server: RedisServer,
    queued: Callable[[str], Flask],
    consumers: Callable[..., Consumer],
) -> None:
    app_environ["SMTP_URL"] = smtp_server.url
    app = queued(redis_server.url)
    path, _ = published_job(app)
    consumer = consumers(app)
    consumer.start()
    time.sleep(2)
    consumer.stop(signal.SIGKILL)  # killed: its queue still holds whatever it had

    client = app.test_client()
    for number in range(2):
        assert post_application(client, path, email=f"late{number}@example.com").status_code == 302
    rows = mail_rows(app)
    assert smtp_server.messages == []

    consumer.start()
    smtp_server.wait_for(len(rows), timeout=CONSUMER_TIMEOUT)
    time.sleep(3)
    assert sorted(r for m in smtp_server.messages for r in m.rcpt_tos) == sorted(
        row.payload["to"] for row in rows
    )
    assert all(row.status == OutboxStatus.DELIVERED for row in mail_rows(app))


@pytest.fixture(scope="module")
def long_webm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Twenty seconds of VGA video: long enough to process for the test to catch it midway."""
    return write_video(
        tmp_path_factory.mktemp("long") / "long.webm", seconds=20, size=(640, 480), fps=15, tone=True
    ).read_bytes()


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_an_answer_being_processed_when_its_consumer_dies_ends_ready(
    app: Flask,
    long_webm: bytes,
    queued: Callable[[str], Flask],
    consumers: Callable[..., Consumer],
    signum: int,
) -> None:
    queued("")
    answer_id, _ = queued_answer(app, long_webm)
    consumer = consumers(app, OUTBOX_LEASE_SECONDS="3")
    consumer.start()
    with app.app_context():
        from app.media.services import queue_answer_processing

        queue_answer_processing(db.session.get(InterviewAnswer, answer_id))
        db.session.commit()

    wait_until(
        lambda: answer_of(app, answer_id).processing_state == ProcessingState.PROCESSING,
        consumer,
        "processing start",
    )
    consumer.stop(signum)
    consumer.start()

    def job_row() -> OutboxMessage:
        with app.app_context():
            row = db.session.scalar(
                db.select(OutboxMessage).where(OutboxMessage.topic == process_answer.name)
            )
            db.session.expunge(row)
            return row

    wait_until(
        lambda: job_row().status in (OutboxStatus.DELIVERED, OutboxStatus.FAILED), consumer, "processing end"
    )
    assert job_row().status == OutboxStatus.DELIVERED, job_row().last_error
    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.READY, answer.processing_error
    assert answer.mp4_key and answer.poster_key


def test_overlapping_reminder_runs_record_one_reminder(app: Flask) -> None:
    from app.interviews.invitations import send_reminder_mail
    from tests.factories import make_application, make_job, make_template
    from tests.factories import make_invitation as invite

    with app.app_context():
        organization = make_organization()
        application = make_application(make_job(organization))
        invitation, _ = invite(application, make_template(organization), sent_at=utcnow())
        db.session.commit()
        send_reminder_mail(invitation, 24)  # one run
        db.session.commit()
        send_reminder_mail(invitation, 24)  # an overlapping run that read the same state
        db.session.commit()
        send_reminder_mail(invitation, 48)  # another threshold is another reminder
        db.session.commit()
        keys = db.session.scalars(
            db.select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == OutboxKind.MAIL)
        )
        assert sorted(key.rsplit(":", 1)[1] for key in keys) == ["24h", "48h"]


def test_operators_list_retry_and_relay_from_the_command_line(app: Flask) -> None:
    use_test_templates(app)
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9"
    with app.app_context():
        mail.send_mail(to="ops@example.com", subject="Hi", template="test_notice", candidate="Ops", link="x")
        db.session.commit()
        row_id = db.session.scalar(db.select(OutboxMessage.id))
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["outbox", "list"])
    assert listed.exit_code == 0 and f"{row_id}\tpending\tmail" in listed.output

    app.config["SMTP_URL"] = ""  # the local mail folder always takes it
    assert runner.invoke(args=["outbox", "retry", str(row_id)]).exit_code == 0
    with app.app_context():
        assert db.session.get(OutboxMessage, row_id).status == OutboxStatus.DELIVERED
    assert runner.invoke(args=["outbox", "retry", str(row_id)]).exit_code != 0  # already out
    assert "Tried 0" in runner.invoke(args=["outbox", "relay"]).output


def test_staff_can_retry_an_answer_stuck_in_processing(app: Flask, tiny_webm: bytes) -> None:
    import html
    import re

    from tests.test_playback import page_as, reviewed_interview, set_answer

    data = reviewed_interview(app, tiny_webm)
    answer_id = set_answer(app, data["path"], processing_state=ProcessingState.PROCESSING)
    client, page = page_as(app, data["emails"]["recruiter"], data["path"])
    body = html.unescape(text_of(page))
    assert "Try again" in body
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    response = client.post(f"{data['path']}/answers/{answer_id}/process", data={"csrf_token": token})
    assert response.status_code in (200, 302, 303)
    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.READY  # processed again (inline in tests)


def test_healthz_names_an_old_undelivered_row_and_a_full_disk(app: Flask) -> None:
    client = app.test_client()
    with app.app_context():
        # A row nobody delivered (no consumer ran for two hours).
        stale = utcnow() - timedelta(hours=2)
        db.session.add(
            OutboxMessage(kind=OutboxKind.JOB, topic="app.nothing", payload={}, next_attempt_at=stale)
        )
        db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503, response.json
    assert response.json["failing"] == ["outbox"]
    assert response.json["details"]["outbox_oldest_seconds"] >= 7200

    app.config["HEALTH_MIN_FREE_BYTES"] = 1 << 62
    assert "storage" in client.get("/healthz").json["failing"]


@jobs.job(retries=0)
def note_organization_job(slug: str) -> None:
    """Test job: adds an organization."""
    make_organization(slug=slug)


@after_commit.on_commit("test.after_commit_job")
def _queue_after_commit(slugs) -> None:
    for slug in slugs:
        note_organization_job(slug)


def test_a_job_called_after_the_commit_is_recorded_in_its_own_transaction(app: Flask) -> None:
    from app.models import Organization

    with app.test_request_context("/"):
        after_commit.defer_until_commit("test.after_commit_job", "late-job")
        db.session.commit()
        db.session.rollback()  # as the request's teardown would
    with app.app_context():
        assert db.session.scalar(db.select(Organization.slug).where(Organization.slug == "late-job"))
        row = db.session.scalar(
            db.select(OutboxMessage).where(OutboxMessage.topic == note_organization_job.name)
        )
        assert row.status == OutboxStatus.DELIVERED


@after_commit.on_commit("test.after_commit_mail")
def _mail_after_commit(addresses) -> None:
    for address in addresses:
        mail.send_mail(
            to=address, subject="After the commit", template="test_notice", candidate="Ada", link="x"
        )


def test_mail_sent_from_an_after_commit_handler_is_not_lost(app: Flask) -> None:
    use_test_templates(app)
    with app.test_request_context("/"):
        after_commit.defer_until_commit("test.after_commit_mail", "late@example.com")
        db.session.commit()
        db.session.rollback()
    assert [m.to for m in mail.list_outbox(app.config["MAIL_OUTBOX_PATH"])] == ["late@example.com"]
