# SPDX-License-Identifier: AGPL-3.0-or-later
"""A job's pipeline: the board, moving cards (form and JSON), the list's filters, search and bulk actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from app.core.extensions import db
from app.models import (
    Application,
    ApplicationStageChange,
    AuditEvent,
    Candidate,
    InterviewAnswer,
    InterviewInvitation,
    Review,
    Role,
    Tag,
    utcnow,
)
from tests.factories import (
    make_application,
    make_candidate,
    make_invitation,
    make_job,
    make_organization,
    make_template,
    make_user,
)
from tests.helpers import csrf_token, login, sent_mail, submit, text_of


def add_review(application: Application, rating: float | None, submitted: bool = True) -> Review:
    """A reviewer's review of an application, submitted with an overall rating unless told otherwise."""
    review = Review(
        organization_id=application.organization_id,
        application_id=application.id,
        reviewer_name="Reviewer",
        overall_rating=rating,
        submitted_at=utcnow() if submitted else None,
    )
    db.session.add(review)
    db.session.flush()
    return review


def applied(job, name: str, days_ago: int = 0, **values) -> Application:
    """An application by a new candidate called ``name``, sent ``days_ago`` days ago."""
    organization_id = job.organization_id
    from app.models import Organization

    organization = db.session.get(Organization, organization_id)
    email = f"{name.lower().replace(' ', '.')}@example.com"
    candidate = make_candidate(organization, name=name, email=email)
    submitted_at = utcnow() - timedelta(days=days_ago)
    application = make_application(job, candidate, submitted_at=submitted_at, **values)
    db.session.add(
        ApplicationStageChange(
            organization_id=organization_id,
            application_id=application.id,
            from_stage=None,
            to_stage=application.stage,
            changed_at=submitted_at,
        )
    )
    db.session.flush()
    return application


@pytest.fixture
def pipeline(app):
    """An organization with staff, a job with four applications (ratings, tags, answers), and a rival."""
    from app.pipeline.tags import tag_applications

    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        admin = make_user(organization, Role.ADMIN, email="ada@example.com")
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com")
        make_user(organization, Role.MANAGER, email="manny@example.com")
        job = make_job(organization, title="Robot Whisperer")
        grace = applied(
            job,
            "Grace Hopper",
            days_ago=12,
            channel="campaign",
            source="newsletter",
            cv_text="Compilers, COBOL and naval logistics.",
        )
        alan = applied(job, "Alan Turing", days_ago=5, channel="career_site", cv_text="Cryptanalysis.")
        ada = applied(job, "Ada Lovelace", days_ago=2, channel="referral", knockout=True)
        linus = applied(job, "Linus Torvalds", days_ago=1, channel="career_site", stage="shortlisted")
        add_review(grace, 4.0)
        add_review(grace, 5.0)
        add_review(alan, 2.0)
        add_review(alan, 5.0, submitted=False)  # not submitted: does not count
        tag_applications(recruiter, [grace, ada], "Relocation")
        template = make_template(organization, [{"prompt_text": "Why robots?", "answer_type": "text"}])
        invitation, _ = make_invitation(alan, template, answered=True)
        answer = db.session.scalar(
            db.select(InterviewAnswer).where(InterviewAnswer.invitation_id == invitation.id)
        )
        answer.transcript = "I once built a differential analyser from Meccano."
        rival = make_organization(name="Rival")
        make_user(rival, Role.ADMIN, email="rival@example.com")
        rival_job = make_job(rival, title="Rival job")
        rival_application = applied(rival_job, "Rival Candidate")
        db.session.commit()
        return SimpleNamespace(
            job_id=job.id,
            org_id=organization.id,
            grace=grace.public_id,
            alan=alan.public_id,
            ada=ada.public_id,
            linus=linus.public_id,
            template_id=template.id,
            admin_id=admin.id,
            rival_job_id=rival_job.id,
            rival_application=rival_application.public_id,
        )


def stage_of(app, public_id: str) -> str:
    with app.app_context():
        return db.session.scalar(db.select(Application.stage).where(Application.public_id == public_id))


def names_in(page: str) -> list[str]:
    """Candidate names in the order a list page shows them."""
    everyone = ["Grace Hopper", "Alan Turing", "Ada Lovelace", "Linus Torvalds"]
    return sorted((name for name in everyone if name in page), key=page.index)


def board_path(pipeline) -> str:
    return f"/app/pipeline/jobs/{pipeline.job_id}"


def list_path(pipeline, query: str = "") -> str:
    return f"/app/pipeline/jobs/{pipeline.job_id}/list{query}"


# --- the board ----------------------------------------------------------------------------------


def test_the_board_shows_columns_with_counts_and_cards(app, client, pipeline):
    login(client, "rita@example.com")
    response = client.get(board_path(pipeline))
    page = text_of(response)
    assert response.status_code == 200
    new_column = page.split('id="column-new"', 1)[1].split("</section>", 1)[0]
    assert '<span class="count" data-count>3</span>' in new_column
    assert (
        new_column.index("Grace Hopper") < new_column.index("Alan Turing") < new_column.index("Ada Lovelace")
    )
    assert "12 days" in new_column and "Rating 4.5 of 5" in new_column and "(2 reviews)" in new_column
    assert (
        "Rating 2.0 of 5" in new_column and "(1 review)" in new_column
    )  # the unsubmitted review is left out
    assert "Relocation" in new_column and "Campaign · newsletter" in new_column
    assert "Knock-out answer" in new_column
    shortlisted = page.split('id="column-shortlisted"', 1)[1].split("</section>", 1)[0]
    assert "Linus Torvalds" in shortlisted and '<span class="count" data-count>1</span>' in shortlisted
    for stage in ("Interview invited", "Offer", "Hired", "Rejected", "Withdrawn"):
        assert f">{stage} <span" in page
    assert "Rival Candidate" not in page
    assert f'<label for="move-{pipeline.grace}">Move to' in page


def test_managers_and_other_organizations_cannot_open_the_pipeline(app, client, pipeline):
    login(client, "manny@example.com")
    assert client.get(board_path(pipeline)).status_code == 403
    assert client.get(list_path(pipeline)).status_code == 403
    token = csrf_token(client, "/app/")
    response = client.post(
        f"/app/pipeline/applications/{pipeline.grace}/move", data={"csrf_token": token, "stage": "offer"}
    )
    assert response.status_code == 403
    assert stage_of(app, pipeline.grace) == "new"

    rival = app.test_client()
    login(rival, "rival@example.com")
    assert rival.get(board_path(pipeline)).status_code == 404
    assert rival.get(list_path(pipeline)).status_code == 404
    token = csrf_token(rival, "/app/")
    response = rival.post(
        f"/app/pipeline/applications/{pipeline.grace}/move", data={"csrf_token": token, "stage": "offer"}
    )
    assert response.status_code == 404
    assert stage_of(app, pipeline.grace) == "new"


def test_the_keyboard_form_moves_a_card_and_records_who_did_it(app, client, pipeline):
    login(client, "rita@example.com")
    response = submit(
        client,
        board_path(pipeline),
        {"stage": "interview_invited"},
        action=f"/app/pipeline/applications/{pipeline.grace}/move",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{board_path(pipeline)}#card-{pipeline.grace}")
    assert stage_of(app, pipeline.grace) == "interview_invited"
    page = text_of(client.get(board_path(pipeline)))
    assert "Grace Hopper moved to Interview invited." in page
    column = page.split('id="column-interview_invited"', 1)[1].split("</section>", 1)[0]
    assert "Grace Hopper" in column and "0 days" in column
    with app.app_context():
        change = db.session.scalar(
            db.select(ApplicationStageChange).order_by(ApplicationStageChange.id.desc())
        )
        assert (change.from_stage, change.to_stage) == ("new", "interview_invited")
        assert change.actor_user_id is not None
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "application.moved"))
        assert event.details == {"from_stage": "new", "to_stage": "interview_invited"}
        assert event.actor_user_id == change.actor_user_id


def test_drag_and_drop_posts_json_and_gets_json_back(app, client, pipeline):
    login(client, "rita@example.com")
    token = csrf_token(client, board_path(pipeline))
    move = f"/app/pipeline/applications/{pipeline.alan}/move"
    headers = {"Accept": "application/json"}

    response = client.post(move, data={"csrf_token": token, "stage": "offer"}, headers=headers)
    assert response.status_code == 200
    assert response.json == {
        "stage": "offer",
        "stage_name": "Offer",
        "message": "Alan Turing moved to Offer.",
        "days_label": "0 days",
    }
    assert stage_of(app, pipeline.alan) == "offer"

    again = client.post(move, data={"csrf_token": token, "stage": "offer"}, headers=headers)
    assert again.status_code == 409 and "already in" in again.json["error"]["message"]
    unknown = client.post(move, data={"csrf_token": token, "stage": "nowhere"}, headers=headers)
    assert unknown.status_code == 400 and "There is no stage" in unknown.json["error"]["message"]
    empty = client.post(move, data={"csrf_token": token, "stage": ""}, headers=headers)
    assert empty.status_code == 400 and "Choose the stage" in empty.json["error"]["message"]
    no_token = client.post(move, data={"stage": "hired"}, headers=headers)
    assert no_token.status_code == 400 and no_token.is_json
    assert stage_of(app, pipeline.alan) == "offer"


def test_a_refused_move_without_javascript_shows_the_board_with_the_reason(app, client, pipeline):
    login(client, "rita@example.com")
    response = submit(
        client,
        board_path(pipeline),
        {"stage": "new"},
        action=f"/app/pipeline/applications/{pipeline.grace}/move",
    )
    assert response.status_code == 409
    page = text_of(response)
    assert "This application is already in “New”." in page and 'id="column-new"' in page


def test_moving_to_an_end_stage_closes_the_application(app, client, pipeline):
    login(client, "rita@example.com")
    submit(
        client,
        board_path(pipeline),
        {"stage": "hired"},
        action=f"/app/pipeline/applications/{pipeline.linus}/move",
    )
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.public_id == pipeline.linus))
        assert application.stage == "hired" and application.closed_at is not None


def test_a_full_column_shows_the_first_cards_and_more_on_request(app, client, pipeline):
    with app.app_context():
        from app.models import Job

        job = db.session.get(Job, pipeline.job_id)
        for number in range(30):
            applied(job, f"Extra Person{number:02d}", days_ago=40 - number)
        db.session.commit()
    login(client, "rita@example.com")
    page = text_of(client.get(board_path(pipeline)))
    column = page.split('id="column-new"', 1)[1].split("</section>", 1)[0]
    assert '<span class="count" data-count>33</span>' in column
    assert column.count('class="pipeline-card"') == 25
    assert "8 more not shown" in column
    assert f'href="{board_path(pipeline)}?expand=new"' in column
    assert f'href="{list_path(pipeline)}?stage=new"' in column

    expanded = text_of(client.get(f"{board_path(pipeline)}?expand=new"))
    column = expanded.split('id="column-new"', 1)[1].split("</section>", 1)[0]
    assert column.count('class="pipeline-card"') == 33 and "not shown" not in column


# --- the list -----------------------------------------------------------------------------------


def test_the_list_filters_by_stage_rating_channel_dates_and_tags(app, client, pipeline):
    login(client, "rita@example.com")
    everything = text_of(client.get(list_path(pipeline)))
    assert names_in(everything) == ["Linus Torvalds", "Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert "4 applications match" in everything

    assert names_in(text_of(client.get(list_path(pipeline, "?stage=shortlisted")))) == ["Linus Torvalds"]
    assert names_in(text_of(client.get(list_path(pipeline, "?min_rating=4")))) == ["Grace Hopper"]
    assert names_in(text_of(client.get(list_path(pipeline, "?min_rating=2")))) == [
        "Alan Turing",
        "Grace Hopper",
    ]
    assert names_in(text_of(client.get(list_path(pipeline, "?channel=career_site")))) == [
        "Linus Torvalds",
        "Alan Turing",
    ]
    assert names_in(text_of(client.get(list_path(pipeline, "?source=newslet")))) == ["Grace Hopper"]
    assert names_in(text_of(client.get(list_path(pipeline, "?tag=Relocation")))) == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    today = datetime.now(UTC).date()
    window = f"?applied_from={today - timedelta(days=6)}&applied_to={today - timedelta(days=2)}"
    assert names_in(text_of(client.get(list_path(pipeline, window)))) == ["Ada Lovelace", "Alan Turing"]
    combined = "?channel=career_site&stage=new&min_rating=1"
    assert names_in(text_of(client.get(list_path(pipeline, combined)))) == ["Alan Turing"]


def test_the_list_sorts_by_name_rating_stage_and_date(app, client, pipeline):
    login(client, "rita@example.com")

    def order(query: str) -> list[str]:
        return names_in(text_of(client.get(list_path(pipeline, query))))

    assert order("?sort=name&order=asc") == ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Linus Torvalds"]
    assert order("?sort=name&order=desc") == ["Linus Torvalds", "Grace Hopper", "Alan Turing", "Ada Lovelace"]
    assert order("?sort=rating&order=desc")[:2] == ["Grace Hopper", "Alan Turing"]  # unrated last
    assert order("?sort=rating&order=asc")[:2] == ["Alan Turing", "Grace Hopper"]  # unrated last too
    assert order("?sort=stage&order=desc")[0] == "Linus Torvalds"
    assert order("?sort=applied&order=asc") == [
        "Grace Hopper",
        "Alan Turing",
        "Ada Lovelace",
        "Linus Torvalds",
    ]


def test_search_covers_names_cv_text_transcripts_and_written_answers(app, client, pipeline):
    login(client, "rita@example.com")

    def found(words: str) -> list[str]:
        return names_in(text_of(client.get(list_path(pipeline, f"?q={words}"))))

    assert found("hopper") == ["Grace Hopper"]
    assert found("cobol") == ["Grace Hopper"]  # CV text
    assert found("meccano") == ["Alan Turing"]  # transcript of a video answer
    assert found("Why+robots") == ["Alan Turing"]  # the written answer's text
    assert found("naval+compilers") == ["Grace Hopper"]  # every word must match
    assert found("naval+meccano") == []
    assert found("100%25") == []  # LIKE wildcards are taken literally
    assert "No applications match these filters." in text_of(client.get(list_path(pipeline, "?q=zzz")))


def test_the_list_pages_and_keeps_filters_in_page_links(app, client, pipeline):
    with app.app_context():
        from app.models import Job

        job = db.session.get(Job, pipeline.job_id)
        for number in range(55):
            applied(job, f"Extra Person{number:02d}", days_ago=60 + number, channel="embed")
        db.session.commit()
    login(client, "rita@example.com")
    first = text_of(client.get(list_path(pipeline, "?channel=embed&sort=name&order=asc")))
    assert "55 applications match" in first and "Page 1 of 2" in first
    assert first.count('name="application"') == 50
    assert "Extra Person00" in first and "Extra Person54" not in first
    next_link = first.split('<a href="', first.index("Page 1 of 2"))[0]
    assert "page=2" in first and "channel=embed" in first.split("Page 1 of 2", 1)[1]
    second = text_of(client.get(list_path(pipeline, "?channel=embed&sort=name&order=asc&page=2")))
    assert second.count('name="application"') == 5 and "Extra Person54" in second and next_link
    beyond = client.get(list_path(pipeline, "?page=9"))
    assert beyond.status_code == 200 and "No applications match" in text_of(beyond)


def test_bad_filter_input_is_a_400_that_says_what_is_wrong(app, client, pipeline):
    login(client, "rita@example.com")
    response = client.get(list_path(pipeline, "?applied_from=yesterday&min_rating=9&stage=nowhere"))
    page = text_of(response)
    assert response.status_code == 400
    assert "Not a valid date value." in page and "Not a valid choice." in page
    assert names_in(page) == ["Linus Torvalds", "Ada Lovelace", "Alan Turing", "Grace Hopper"]


# --- bulk actions -------------------------------------------------------------------------------


def bulk(client, pipeline, data: dict, query: str = ""):
    return submit(client, list_path(pipeline, query), data, action=list_path(pipeline, query))


def test_bulk_move_moves_the_checked_rows_and_returns_to_the_same_filters(app, client, pipeline):
    login(client, "rita@example.com")
    response = bulk(
        client,
        pipeline,
        {"action": "move", "stage": "manager_review", "application": [pipeline.grace, pipeline.alan]},
        "?stage=new",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        list_path(pipeline, "?stage=new")
    )
    assert stage_of(app, pipeline.grace) == stage_of(app, pipeline.alan) == "manager_review"
    assert stage_of(app, pipeline.ada) == "new"
    assert "2 applications were moved." in text_of(client.get(list_path(pipeline)))
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "application.moved")
            )
            == 2
        )


def test_bulk_tag_and_untag(app, client, pipeline):
    login(client, "rita@example.com")
    response = bulk(
        client,
        pipeline,
        {"action": "tag", "tag": "  Strong   portfolio ", "application": [pipeline.alan, pipeline.linus]},
    )
    assert response.status_code == 302
    assert "Tag “Strong portfolio” added to 2 applications." in text_of(client.get(list_path(pipeline)))
    # Same tag whatever the case; already tagged rows are counted once.
    bulk(
        client,
        pipeline,
        {"action": "tag", "tag": "strong PORTFOLIO", "application": [pipeline.alan, pipeline.grace]},
    )
    assert names_in(text_of(client.get(list_path(pipeline, "?tag=Strong+portfolio")))) == [
        "Linus Torvalds",
        "Alan Turing",
        "Grace Hopper",
    ]
    bulk(client, pipeline, {"action": "untag", "tag": "Strong portfolio", "application": [pipeline.alan]})
    assert names_in(text_of(client.get(list_path(pipeline, "?tag=Strong+portfolio")))) == [
        "Linus Torvalds",
        "Grace Hopper",
    ]
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count(Tag.id)).where(Tag.organization_id == pipeline.org_id))
            == 2
        )

    unknown = bulk(client, pipeline, {"action": "untag", "tag": "Nope", "application": [pipeline.alan]})
    assert unknown.status_code == 400 and "There is no tag “Nope”." in text_of(unknown)
    too_long = bulk(client, pipeline, {"action": "tag", "tag": "x" * 41, "application": [pipeline.alan]})
    assert too_long.status_code == 400 and "longer than 40 characters" in text_of(too_long)


def test_bulk_actions_explain_what_is_missing_and_keep_the_checked_rows(app, client, pipeline):
    login(client, "rita@example.com")
    nothing = bulk(client, pipeline, {"action": "move", "stage": "offer"})
    assert nothing.status_code == 400 and "Choose at least one application." in text_of(nothing)
    no_stage = bulk(client, pipeline, {"action": "move", "stage": "", "application": [pipeline.ada]})
    page = text_of(no_stage)
    assert no_stage.status_code == 400 and "Choose the stage to move them to." in page
    assert f'value="{pipeline.ada}" id="select-{pipeline.ada}" checked' in page
    foreign = bulk(
        client, pipeline, {"action": "move", "stage": "offer", "application": [pipeline.rival_application]}
    )
    assert foreign.status_code == 404 and "We could not find this application." in text_of(foreign)
    assert stage_of(app, pipeline.rival_application) == "new"
    no_template = bulk(client, pipeline, {"action": "invite", "application": [pipeline.ada]})
    assert no_template.status_code == 400 and "Choose an interview." in text_of(no_template)


def test_bulk_invite_sends_invitations_and_moves_them_forward(app, client, pipeline):
    login(client, "rita@example.com")
    deadline = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    response = bulk(
        client,
        pipeline,
        {
            "action": "invite",
            "template_id": pipeline.template_id,
            "deadline": deadline,
            "application": [pipeline.grace, pipeline.ada],
        },
    )
    assert response.status_code == 302
    assert "2 invitations were sent." in text_of(client.get(list_path(pipeline)))
    assert stage_of(app, pipeline.grace) == stage_of(app, pipeline.ada) == "interview_invited"
    assert {message.to for message in sent_mail(app)} == {
        "grace.hopper@example.com",
        "ada.lovelace@example.com",
    }
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(InterviewInvitation.id))) == 3

    # Alan already answered an interview: all or nothing, nothing is sent.
    again = bulk(
        client,
        pipeline,
        {
            "action": "invite",
            "template_id": pipeline.template_id,
            "deadline": deadline,
            "application": [pipeline.linus, pipeline.grace],
        },
    )
    assert again.status_code == 409 and "already has an open interview invitation" in text_of(again)
    assert stage_of(app, pipeline.linus) == "shortlisted"


def test_reject_with_feedback_opens_the_compose_page_with_the_chosen_candidates(app, client, pipeline):
    login(client, "rita@example.com")
    response = bulk(client, pipeline, {"action": "reject", "application": [pipeline.grace, pipeline.alan]})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    with app.test_request_context():
        from flask import url_for

        assert location.path == url_for("feedback.compose")
    query = parse_qs(location.query)
    assert query["stage"] == ["rejected"]
    assert set(query["application"]) == {pipeline.grace, pipeline.alan}
    assert stage_of(app, pipeline.grace) == "new"  # nothing happens until the message is sent


# --- navigation ---------------------------------------------------------------------------------


def test_the_pipeline_is_reached_from_the_job_and_its_applications(app, client, pipeline):
    login(client, "rita@example.com")
    job_page = text_of(client.get(f"/app/jobs/{pipeline.job_id}"))
    assert f'href="{board_path(pipeline)}"' in job_page
    applications = text_of(client.get(f"/app/jobs/{pipeline.job_id}/applications"))
    assert (
        f'href="{board_path(pipeline)}"' in applications and f'href="{list_path(pipeline)}"' in applications
    )
    assert "/app/pipeline/stages" not in text_of(client.get("/app/"))

    admin = app.test_client()
    login(admin, "ada@example.com")
    assert 'href="/app/pipeline/stages"' in text_of(admin.get("/app/"))


# --- demo data ----------------------------------------------------------------------------------


def test_the_demo_pipeline_spreads_applications_over_stages_once(app):
    from app.models import InvitationState, Organization
    from app.pipeline.demo import seed_demo_pipeline

    with app.app_context():
        organization = make_organization(name="Demo")
        make_user(organization, Role.ADMIN)
        job = make_job(organization)
        template = make_template(organization)
        states = [
            None,
            InvitationState.SENT,
            InvitationState.COMPLETED,
            None,
            InvitationState.OPENED,
            None,
            None,
        ]
        for number, state in enumerate(states):
            application = applied(job, f"Demo Person{number}", days_ago=10 - number)
            if state is not None:
                make_invitation(application, template, state=state)
        db.session.commit()

        seed_demo_pipeline(db.session.get(Organization, organization.id))
        db.session.commit()
        by_name = dict(
            db.session.execute(
                db.select(Candidate.name, Application.stage).join(
                    Application, Application.candidate_id == Candidate.id
                )
            ).all()
        )
        assert by_name == {
            "Demo Person0": "new",
            "Demo Person1": "interview_invited",
            "Demo Person2": "shortlisted",
            "Demo Person3": "manager_review",
            "Demo Person4": "interview_invited",
            "Demo Person5": "new",
            "Demo Person6": "offer",
        }
        tags = db.session.scalars(db.select(Tag.name).where(Tag.organization_id == organization.id)).all()
        assert sorted(tags) == ["Referred", "Relocation", "Strong portfolio"]
        changes = db.session.scalar(db.select(db.func.count(ApplicationStageChange.id)))

        seed_demo_pipeline(db.session.get(Organization, organization.id))  # a second run changes nothing
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(ApplicationStageChange.id))) == changes
        moved = db.session.scalars(
            db.select(ApplicationStageChange).where(ApplicationStageChange.from_stage.is_not(None))
        )
        assert all(change.changed_at <= utcnow() for change in moved)
