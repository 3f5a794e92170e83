# SPDX-License-Identifier: AGPL-3.0-or-later
"""The route-access matrix guards the future: every route is classified in tests/access_matrix.py.

A new route nobody classified fails here. Staff routes refuse anonymous visitors and the roles
they leave out, and every staff route that takes ids is requested by each role of another
organization with this organization's ids: it answers 403 or 404, and changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.core.extensions import db
from app.models import (
    EmployeeProfile,
    JobPhoto,
    JobQuestion,
    MessageTemplate,
    ProfileItem,
    ProfileItemKind,
    Pulse,
    Role,
    ScorecardCriterion,
    Shortlist,
    ShortlistEntry,
    ShortlistShare,
)
from app.models import Testimonial as StaffTestimonial
from tests.access_matrix import ACCESS, ORGANIZATION_RELATIVE_PARAMS, PUBLIC, TOKEN
from tests.factories import (
    make_application,
    make_invitation,
    make_job,
    make_organization,
    make_template,
    make_user,
)
from tests.helpers import csrf_token, login

PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# Rows a signed-in request may legitimately touch (its own session's last activity).
VOLATILE_TABLES = frozenset({"staff_sessions"})


def staff_rules(app: Flask) -> Iterator[tuple[Rule, frozenset[Role]]]:
    """Every rule declared for staff, with the roles allowed."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        access = ACCESS.get(rule.endpoint)
        if isinstance(access, frozenset):
            yield rule, access


def methods_of(rule: Rule) -> list[str]:
    """The methods worth trying on a rule (GET and POST)."""
    return sorted(method for method in rule.methods or () if method in {"GET", "POST"})


def path_of(rule: Rule, values: dict[str, object]) -> str:
    """The rule's path with its parameters filled from ``values`` (or harmless defaults)."""

    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if name in values:
            return str(values[name])
        return "999999" if converter == "int" else "nothing-here"

    return PARAM.sub(fill, rule.rule)


# One body that passes the shape checks of the forms whose routes validate before loading a row,
# so the sweep reaches the ownership check instead of stopping at "400 missing field".
PLAUSIBLE_FORM = {
    "role": "recruiter",
    "offset": "1",
    "content_type": "video/webm",
    "key": "orgs/0/pitch-videos/2026/01/x",
    "deadline": (date.today() + timedelta(days=30)).isoformat(),
    "visibility": "hr",
}


def request(client: FlaskClient, method: str, path: str, token: str, body: dict | None = None):
    """A request as a browser or recorder.js sends it: the CSRF header and a form body."""
    headers = {"X-CSRFToken": token}
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, data=body or {}, headers=headers)


def signed_in(app: Flask, email: str) -> tuple[FlaskClient, str]:
    """A client signed in as ``email`` and its CSRF token."""
    client = app.test_client()
    assert login(client, email).status_code == 302, email
    return client, csrf_token(client, "/app/")


def snapshot() -> dict[str, str]:
    """A digest of every table's rows, to prove that refused requests changed nothing."""
    digests = {}
    for table in db.metadata.sorted_tables:
        if table.name in VOLATILE_TABLES:
            continue
        rows = db.session.execute(db.select(table).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
    return digests


@pytest.fixture
def victim(app: Flask) -> dict[str, object]:
    """Organization A with a row behind every kind of id, and organization B's staff, one per role."""
    with app.app_context():
        organization = make_organization(name="Victim", slug="victim")
        users = {role: make_user(organization, role) for role in Role}
        job = make_job(organization, hiring_manager_id=users[Role.MANAGER].id)
        template = make_template(organization)
        job.interview_template_id = template.id
        job.photos.append(JobPhoto(key="orgs/0/job-photos/p", content_type="image/png", alt_text="Team"))
        job_question = JobQuestion(organization_id=organization.id, job_id=job.id, label="Why us?")
        criterion = ScorecardCriterion(template_id=template.id, name="Clarity")
        application = make_application(job)
        invitation, _ = make_invitation(application, template, answered=True)
        shortlist = Shortlist(organization_id=organization.id, job_id=job.id, name="Finalists")
        testimonial = StaffTestimonial(
            organization_id=organization.id,
            employee_id=users[Role.EMPLOYEE].id,
            quote="Great team.",
            author_name="Emma",
            video_key="orgs/0/testimonial-videos/v",
            photo_key="orgs/0/testimonial-photos/p",
            photo_content_type="image/png",
        )
        pulse = Pulse(
            organization_id=organization.id, opens_on=date.today(), closes_on=date.today() + timedelta(7)
        )
        profile = EmployeeProfile(organization_id=organization.id, user_id=users[Role.EMPLOYEE].id)
        message_template = MessageTemplate(organization_id=organization.id, name="No", subject="S", body="B")
        db.session.add_all(
            [job_question, criterion, shortlist, testimonial, pulse, profile, message_template]
        )
        db.session.flush()
        entry = ShortlistEntry(shortlist_id=shortlist.id, application_id=application.id)
        share = ShortlistShare(shortlist_id=shortlist.id, user_id=users[Role.MANAGER].id)
        item = ProfileItem(profile_id=profile.id, kind=next(iter(ProfileItemKind)), label="Python")
        db.session.add_all([entry, share, item])
        db.session.flush()

        intruders = make_organization(name="Intruders", slug="intruders")
        emails = {role: make_user(intruders, role).email for role in Role}
        db.session.commit()
        ids = {
            "user_id": users[Role.EMPLOYEE].id,
            "job_id": job.id,
            "template_id": template.id,
            "question_id": template.questions[0].id,
            "photo_id": job.photos[0].id,
            "criterion_id": criterion.id,
            "public_id": application.public_id,
            "invitation_id": invitation.id,
            "answer_id": invitation.answers[0].id,
            "shortlist_id": shortlist.id,
            "entry_id": entry.id,
            "share_id": share.id,
            "testimonial_id": testimonial.id,
            "pulse_id": pulse.id,
            "item_id": item.id,
        }
        # The same parameter name means another row in these areas.
        per_area = {
            "postings": {"question_id": job_question.id},
            "feedback": {"template_id": message_template.id},
        }
        return {"ids": ids, "per_area": per_area, "intruders": emails}


def test_every_route_is_classified(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = sorted(endpoints - ACCESS.keys())
    assert not unclassified, f"Classify these routes in tests/access_matrix.py: {unclassified}"
    stale = sorted(ACCESS.keys() - endpoints)
    assert not stale, f"These routes no longer exist; remove them from tests/access_matrix.py: {stale}"
    for endpoint, access in ACCESS.items():
        assert access in (PUBLIC, TOKEN) or (isinstance(access, frozenset) and access <= frozenset(Role)), (
            endpoint
        )


def test_staff_routes_refuse_anonymous_visitors(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/login")
    for rule, _roles in staff_rules(app):
        for method in methods_of(rule):
            response = request(client, method, path_of(rule, {}), token)
            assert response.status_code in (302, 401), (method, rule.rule, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], (method, rule.rule)


def test_staff_routes_refuse_the_roles_they_leave_out(app: Flask, victim: dict) -> None:
    for role, email in victim["intruders"].items():
        client, token = signed_in(app, email)
        for rule, roles in staff_rules(app):
            if role in roles:
                continue
            for method in methods_of(rule):
                response = request(client, method, path_of(rule, {}), token)
                assert response.status_code == 403, (role.value, method, rule.rule, response.status_code)


def test_no_staff_route_reaches_another_organizations_rows(app: Flask, victim: dict) -> None:
    intruders = {role: signed_in(app, email) for role, email in victim["intruders"].items()}
    with app.app_context():
        before = snapshot()
    checked, reached = 0, []
    for role, (client, token) in intruders.items():
        for rule, roles in staff_rules(app):
            params = set(rule.arguments)
            if role not in roles or not params or params <= ORGANIZATION_RELATIVE_PARAMS:
                continue
            values = {**victim["ids"], **victim["per_area"].get(rule.endpoint.split(".")[0], {})}
            path = path_of(rule, values)
            for method in methods_of(rule):
                response = request(client, method, path, token, PLAUSIBLE_FORM)
                checked += 1
                if method == "GET" and response.status_code == 302:
                    # A route that only redirects (to a filtered page): the page must refuse the id.
                    followed = client.get(response.headers["Location"])
                    if 400 <= followed.status_code < 500:
                        continue
                if response.status_code not in (403, 404):
                    reached.append((role.value, method, path, response.status_code))
    assert not reached, "\n".join(map(str, reached))
    assert checked > 100
    with app.app_context():
        after = snapshot()
    changed = sorted(name for name in before if before[name] != after[name])
    assert not changed, f"Refused requests changed these tables: {changed}"
