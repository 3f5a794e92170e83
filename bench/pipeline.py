# SPDX-License-Identifier: AGPL-3.0-or-later
"""``python -m bench pipeline``: a job's board and list with 20, 200 and 2,000 applications.

Builds a throwaway SQLite database, one organization with one job per size, fills the jobs with
bulk inserts (candidates, applications, stage changes, reviews, tags, interview answers), signs
a recruiter in with the Flask test client and prints, per size, the median time of the board, the
list, and the list with a search, and the SQL queries each page issued. The query counts should be
the same on every row: the pages do not run a query per application.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

SIZES = (20, 200, 2000)
STAGE_SPREAD = ("new", "new", "new", "interview_invited", "interview_completed", "shortlisted", "rejected")
SEARCH = "robotics"


def seed_applications(job, count: int) -> None:
    """``count`` applications to ``job`` by new candidates, spread over stages, in a few bulk inserts."""
    from sqlalchemy import insert, select

    from app.core.extensions import db
    from app.models import (
        AnswerType,
        Application,
        ApplicationStageChange,
        ApplicationTag,
        Candidate,
        InterviewAnswer,
        InterviewInvitation,
        InterviewQuestion,
        InterviewTemplate,
        InvitationState,
        Review,
        Tag,
        utcnow,
    )

    now = utcnow()
    prefix = secrets.token_hex(4)
    candidate_ids = db.session.scalars(
        insert(Candidate).returning(Candidate.id, sort_by_parameter_order=True),
        [
            {
                "organization_id": job.organization_id,
                "name": f"Person {number:05d}",
                "email": f"{prefix}-{number}@example.com",
            }
            for number in range(count)
        ],
    ).all()
    rows = [
        {
            "organization_id": job.organization_id,
            "job_id": job.id,
            "candidate_id": candidate_id,
            "public_id": secrets.token_urlsafe(24),
            "stage": STAGE_SPREAD[number % len(STAGE_SPREAD)],
            "submitted_at": now - timedelta(hours=number),
            "channel": ("career_site", "referral", "campaign")[number % 3],
            "source": "newsletter" if number % 3 == 2 else "",
            "cv_text": "Robotics, embedded C and warehouse automation." if number % 4 == 0 else "Sales.",
            "knockout": number % 10 == 0,
        }
        for number, candidate_id in enumerate(candidate_ids)
    ]
    application_ids = db.session.scalars(
        insert(Application).returning(Application.id, sort_by_parameter_order=True), rows
    ).all()
    db.session.execute(
        insert(ApplicationStageChange),
        [
            {
                "organization_id": job.organization_id,
                "application_id": application_id,
                "from_stage": None,
                "to_stage": row["stage"],
                "changed_at": row["submitted_at"],
            }
            for application_id, row in zip(application_ids, rows, strict=True)
        ],
    )
    db.session.execute(
        insert(Review),
        [
            {
                "organization_id": job.organization_id,
                "application_id": application_id,
                "reviewer_name": "Reviewer",
                "overall_rating": 1 + number % 5,
                "submitted_at": now,
            }
            for number, application_id in enumerate(application_ids)
            if number % 3 == 0
        ],
    )
    tags = {
        name: db.session.scalar(
            select(Tag).where(Tag.organization_id == job.organization_id, Tag.name == name)
        )
        or Tag(organization_id=job.organization_id, name=name)
        for name in ("Relocation", "Strong portfolio", "Referred")
    }
    db.session.add_all(tags.values())
    db.session.flush()
    db.session.execute(
        insert(ApplicationTag),
        [
            {"application_id": application_id, "tag_id": tag.id}
            for number, application_id in enumerate(application_ids)
            for index, tag in enumerate(tags.values())
            if number % (index + 2) == 0
        ],
    )
    template = InterviewTemplate(organization_id=job.organization_id, name=f"Interview {prefix}")
    template.questions.append(InterviewQuestion(position=0, prompt_text="Why robots?"))
    db.session.add(template)
    db.session.flush()
    invited = [application_id for number, application_id in enumerate(application_ids) if number % 5 == 0]
    invitation_ids = db.session.scalars(
        insert(InterviewInvitation).returning(InterviewInvitation.id, sort_by_parameter_order=True),
        [
            {
                "organization_id": job.organization_id,
                "application_id": application_id,
                "template_id": template.id,
                "token_hash": secrets.token_hex(32),
                "state": InvitationState.COMPLETED,
                "deadline": now + timedelta(days=7),
                "reminders_sent": [],
            }
            for application_id in invited
        ],
    ).all()
    db.session.execute(
        insert(InterviewAnswer),
        [
            {
                "invitation_id": invitation_id,
                "question_id": template.questions[0].id,
                "kind": AnswerType.VIDEO,
                "transcript": "I have built robotics kits since school." if number % 2 else "I like people.",
            }
            for number, invitation_id in enumerate(invitation_ids)
        ],
    )
    db.session.flush()


@contextlib.contextmanager
def counting_queries(engine) -> Iterator[list[str]]:
    """Collect every SQL statement sent through ``engine`` inside the block."""
    from sqlalchemy import event

    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def sign_in(client, email: str, password: str) -> None:
    """Sign in through the login form, as a browser would."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"signing in answered {response.status_code}")


def build(workdir: Path, sizes: tuple[int, ...], password: str):
    """A migrated SQLite database with a recruiter and one job per size; the app and the job ids."""
    from flask_migrate import upgrade

    from app import create_app
    from app.admin.services import create_user
    from app.core.extensions import db
    from app.models import Job, JobStatus, Role, utcnow
    from app.organizations.services import create_organization
    from config import TestingConfig

    environ = {
        "DATABASE_URL": f"sqlite:///{workdir / 'pipeline.db'}",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "STORAGE_LOCAL_PATH": str(workdir / "uploads"),
        "MAIL_OUTBOX_PATH": str(workdir / "outbox"),
        "JOBS_SQLITE_PATH": str(workdir / "jobs.sqlite3"),
        "RATELIMIT_ENABLED": "false",
    }
    app = create_app(TestingConfig(environ))
    log = io.StringIO()
    with app.app_context():
        try:
            with contextlib.redirect_stderr(log), contextlib.redirect_stdout(log):
                upgrade()
        except Exception:
            print(log.getvalue())
            raise
        organization = create_organization("Bench Pipeline", "bench-pipeline")
        create_user(
            organization, email="rita@bench.example", name="Rita", role=Role.RECRUITER, password=password
        )
        job_ids = {}
        for size in sizes:
            job = Job(
                organization_id=organization.id,
                slug=f"job-{size}-{secrets.token_hex(3)}",
                title=f"Robotics engineer ({size})",
                status=JobStatus.PUBLISHED,
                published_at=utcnow(),
            )
            db.session.add(job)
            db.session.flush()
            seed_applications(job, size)
            job_ids[size] = job.id
        db.session.commit()
    return app, job_ids


def measure(app, client, path: str, repeat: int) -> tuple[float, int]:
    """The median time of ``repeat`` requests (after one warm-up) and the queries of one request."""
    from app.core.extensions import db

    if client.get(path).status_code != 200:
        raise RuntimeError(f"{path} did not answer 200")
    with app.app_context():
        engine = db.engine
    with counting_queries(engine) as statements:
        client.get(path)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), len(statements)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; --quick for a short run."""
    parser = argparse.ArgumentParser(prog="python -m bench pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 timed requests per page instead of 10")
    parser.add_argument("--repeat", type=int, help="timed requests per page (default 10, quick 2)")
    args = parser.parse_args(argv)
    args.repeat = args.repeat or (2 if args.quick else 10)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Build the database, measure the pages for each size, print a table, and clean up."""
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="openround-bench-pipeline-"))
    try:
        password = "-".join(secrets.token_urlsafe(6) for _ in range(4))
        app, job_ids = build(workdir, SIZES, password)
        client = app.test_client()
        sign_in(client, "rita@bench.example", password)
        print(f"SQLite, Flask test client, median of {args.repeat} requests after a warm-up\n")
        header = (
            f"{'applications':>12} {'board ms':>9} {'list ms':>8} {'search ms':>10} "
            f"{'board queries':>14} {'list queries':>13} {'search queries':>15}"
        )
        print(header)
        print("-" * len(header))
        counts = set()
        for size in SIZES:
            base = f"/app/pipeline/jobs/{job_ids[size]}"
            board = measure(app, client, base, args.repeat)
            listing = measure(app, client, f"{base}/list?sort=rating", args.repeat)
            search = measure(app, client, f"{base}/list?q={SEARCH}&min_rating=2&tag=Relocation", args.repeat)
            counts.add((board[1], listing[1], search[1]))
            print(
                f"{size:>12} {board[0] * 1000:>9.1f} {listing[0] * 1000:>8.1f} {search[0] * 1000:>10.1f} "
                f"{board[1]:>14} {listing[1]:>13} {search[1]:>15}"
            )
        print()
        verdict = "the same for every size" if len(counts) == 1 else "DIFFERENT between sizes"
        print(f"query counts: {verdict}")
        with app.app_context():
            from app.core.extensions import db

            db.session.remove()
            db.engine.dispose()
        return 0
    except RuntimeError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
