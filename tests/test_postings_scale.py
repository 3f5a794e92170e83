# SPDX-License-Identifier: AGPL-3.0-or-later
"""Speed at scale: the staff jobs list issues as many SQL queries for 60 jobs as for 3."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import InvalidRequestError

from app.core.extensions import db
from app.models import JobFaq, JobLocation, JobStatus, Organization, Role, User
from app.postings import services
from tests.factories import make_application, make_job, make_organization, make_user
from tests.helpers import login, logout
from tests.test_pipeline_scale import queries_of

PAGES = ("/app/jobs", "/app/jobs?status=published", "/app/jobs?status=draft")


def seed_jobs(organization: Organization, count: int) -> None:
    """``count`` jobs, each with its own hiring manager, places, FAQs and applications."""
    for number in range(count):
        manager = make_user(organization, Role.MANAGER, name=f"Manager {number}")
        job = make_job(
            organization,
            f"Job {number}",
            status=JobStatus.DRAFT if number % 3 == 0 else JobStatus.PUBLISHED,
            team=f"Team {number}",
            hiring_manager_id=manager.id,
        )
        for position, city in enumerate((f"City {number}", f"Town {number}")):
            db.session.add(JobLocation(job_id=job.id, city=city, country="IT", position=position))
        db.session.add(JobFaq(job_id=job.id, question="Remote?", answer="Two days a week.", position=0))
        for _ in range(2):
            make_application(job)
    db.session.flush()


def test_jobs_list_query_counts_are_equal_for_3_and_60_jobs(app, client):
    with app.app_context():
        small, large = make_organization(), make_organization()
        make_user(small, Role.RECRUITER, email="small@example.com")
        make_user(large, Role.RECRUITER, email="large@example.com")
        seed_jobs(small, 3)
        seed_jobs(large, 60)
        db.session.commit()

    counts: dict[str, dict[int, int]] = {path: {} for path in PAGES}
    pages: dict[int, str] = {}
    for size, email in ((3, "small@example.com"), (60, "large@example.com")):
        login(client, email)
        for path in PAGES:
            counts[path][size], page = queries_of(app, client, path)
            pages.setdefault(size, page)
        logout(client)

    for path, by_size in counts.items():
        assert by_size[3] == by_size[60], f"{path}: {by_size}"
        assert by_size[60] <= 12, f"{path}: {by_size[60]} queries"
    # The pages really list every job with its places and hiring manager.
    assert pages[60].count("Manager ") == 60 and "City 59, IT · Town 59, IT" in pages[60]
    assert pages[3].count("Manager ") == 3 and "City 2, IT · Town 2, IT" in pages[3]


def test_the_jobs_list_never_loads_a_relationship_lazily(app):
    with app.app_context():
        organization = make_organization()
        recruiter = make_user(organization, Role.RECRUITER)
        seed_jobs(organization, 2)
        db.session.commit()
        recruiter_id, slug = recruiter.id, organization.slug
        db.session.expunge_all()
        recruiter = db.session.get(User, recruiter_id)

        jobs = services.list_jobs(recruiter)
        # What the list shows is loaded with the jobs ...
        assert [location.city for location in jobs[0].locations] == ["City 1", "Town 1"]
        assert jobs[0].hiring_manager.name == "Manager 1"
        assert jobs[0].organization.slug == slug
        # ... and what it does not show fails loudly instead of issuing a query per job.
        with pytest.raises(InvalidRequestError, match="lazy='raise'"):
            len(jobs[0].faqs)

        # A hiring manager listing their own jobs is the job's hiring manager: their own
        # relationships (the page header reads their organization) still load.
        manager = jobs[0].hiring_manager
        db.session.expunge_all()
        manager = db.session.get(User, manager.id)
        assert [job.title for job in services.list_jobs(manager)] == ["Job 1"]
        assert manager.organization.slug == slug
