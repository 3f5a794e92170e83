# SPDX-License-Identifier: AGPL-3.0-or-later
"""Speed at scale: the board and the list issue as many SQL queries for 2,000 applications as for 20."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.exc import InvalidRequestError

from app.core.extensions import db
from app.models import Role, User
from app.pipeline import services
from bench.pipeline import seed_applications
from tests.factories import make_job, make_organization, make_user
from tests.helpers import login, text_of

PAGES = {
    "board": "/app/pipeline/jobs/{job}",
    "board, a column expanded": "/app/pipeline/jobs/{job}?expand=new",
    "list": "/app/pipeline/jobs/{job}/list",
    "list, filtered, searched and sorted by rating": (
        "/app/pipeline/jobs/{job}/list?q=robotics&min_rating=2&tag=Relocation&channel=career_site"
        "&applied_from=2000-01-01&sort=rating&order=desc&page=2"
    ),
}


@contextmanager
def counting_queries(engine) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block."""
    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def queries_of(app, client, path: str) -> tuple[int, str]:
    """How many queries one request of ``path`` issued (after a warm-up request), and the page."""
    assert client.get(path).status_code == 200
    with app.app_context():
        engine = db.engine
    with counting_queries(engine) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements), text_of(response)


def test_board_and_list_query_counts_are_equal_for_20_and_2000_applications(app, client):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        small, large = make_job(organization, "Small job"), make_job(organization, "Large job")
        seed_applications(small, 20)
        seed_applications(large, 2000)
        jobs = {20: small.id, 2000: large.id}
        db.session.commit()
    login(client, "rita@example.com")

    for label, template in PAGES.items():
        counts = {}
        pages = {}
        for size, job_id in jobs.items():
            counts[size], pages[size] = queries_of(app, client, template.format(job=job_id))
        assert counts[20] == counts[2000], f"{label}: {counts}"
        assert counts[2000] <= 12, f"{label}: {counts[2000]} queries"

    # The large job's pages really are large: full columns, many pages.
    board = queries_of(app, client, PAGES["board"].format(job=jobs[2000]))[1]
    assert "more not shown" in board and board.count('class="pipeline-card"') <= 25 * 9
    listing = queries_of(app, client, PAGES["list"].format(job=jobs[2000]))[1]
    assert "2000 applications match" in listing and "Page 1 of 40" in listing
    small_list = queries_of(app, client, PAGES["list"].format(job=jobs[20]))[1]
    assert "20 applications match" in small_list and "Page 1 of" not in small_list


def test_the_board_and_list_job_never_loads_a_relationship_lazily(app, client):
    """The job behind the board and the list raises on a lazy load: a template using one fails here."""
    with app.app_context():
        organization = make_organization()
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com")
        job_id = make_job(organization, "Robotics Engineer").id
        db.session.commit()
        recruiter_id = recruiter.id
        db.session.expunge_all()
        recruiter = db.session.get(User, recruiter_id)
        job = services.find_pipeline_job(recruiter, job_id, for_page=True)
        assert job.title == "Robotics Engineer"
        with pytest.raises(InvalidRequestError, match="lazy='raise'"):
            len(job.organization.slug)
    # The board and the list still render: their templates touch no relationship of the job.
    login(client, "rita@example.com")
    for name in ("board", "list"):
        assert client.get(PAGES[name].format(job=job_id)).status_code == 200
