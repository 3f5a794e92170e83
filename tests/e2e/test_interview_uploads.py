# SPDX-License-Identifier: AGPL-3.0-or-later
"""An answer upload interrupted mid-way is retried by the page with backoff and ends as exactly one
stored answer: with local storage, with S3 (SeaweedFS on loopback) through a presigned POST, and
with S3 through a multipart upload (the way large answers go), where a retry sends only what the
store does not hold yet."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Route, expect

from app.answering.services import answer_prefix
from app.core.extensions import db
from app.models.interview import AnswerType, InterviewAnswer, InterviewInvitation, InterviewUpload
from tests.e2e.test_answering import media_browser, new_page  # noqa: F401 (media_browser is a fixture)
from tests.test_answering import make_interview

pytestmark = pytest.mark.e2e

READ_PENDING = """
key => new Promise(resolve => {
  const request = indexedDB.open("openround-interview", 1);
  request.onsuccess = () => {
    const get = request.result.transaction("pending").objectStore("pending").get(key);
    get.onsuccess = () => resolve(get.result
      ? {size: get.result.blob.size, uploadKey: get.result.uploadKey, key: get.result.key}
      : null);
    get.onerror = () => resolve(null);
  };
  request.onerror = () => resolve(null);
})
"""


@pytest.fixture(params=["local", "s3", "s3-multipart"])
def app_environ(
    request: pytest.FixtureRequest, app_environ: dict[str, str], database_url: str
) -> dict[str, str]:
    """The app on local storage, or on S3 (a bucket of its own on the SeaweedFS test server)."""
    if request.param.startswith("s3"):
        if not database_url.startswith("sqlite"):
            pytest.skip("storage does not depend on the database: the S3 run happens once, on SQLite")
        app_environ.update(request.getfixturevalue("s3_environ"))
    return app_environ


def stored_answer_keys(app, request: pytest.FixtureRequest, invitation_id: int) -> list[str]:
    """Every object the storage holds under the invitation's answer prefix."""
    with app.app_context():
        prefix = f"{answer_prefix(db.session.get(InterviewInvitation, invitation_id))}/"
    if app.config["STORAGE_BACKEND"] == "s3":
        return request.getfixturevalue("s3_server").object_keys(app.config["S3_BUCKET"], prefix)
    root = Path(app.config["STORAGE_LOCAL_PATH"])
    folder = root / prefix
    files = folder.rglob("*") if folder.is_dir() else []
    return sorted(str(path.relative_to(root)) for path in files if path.is_file())


def is_upload(app, url: str) -> bool:
    """Whether a request goes to the storage's upload address (the app's, or the bucket's)."""
    if app.config["STORAGE_BACKEND"] == "s3":
        return url.startswith(f"{app.config['S3_ENDPOINT_URL']}/{app.config['S3_BUCKET']}")
    return "/files/u/" in url


def test_an_interrupted_upload_is_retried_with_backoff_and_stored_once(
    app,
    live_server,
    media_browser,  # noqa: F811 (the fixture imported above)
    request,
):
    if app.config["STORAGE_BACKEND"] == "s3":
        request.getfixturevalue("s3_server").allow_browser_origin(app.config["S3_BUCKET"], live_server.url)
    multipart = request.node.callspec.params["app_environ"] == "s3-multipart"
    if multipart:
        app.config["INTERVIEW_MULTIPART_THRESHOLD"] = 1  # every answer in parts (here, one part)
    ids = make_interview(
        app, questions=[{"answer_type": AnswerType.VIDEO, "think_seconds": 1, "max_seconds": 2, "retakes": 0}]
    )
    with app.app_context():
        question_id = db.session.get(InterviewInvitation, ids["invitation"]).template.questions[0].id
    store_key = f"answer-{ids['invitation']}-{question_id}"  # where answering.js keeps the recording
    context, page, errors = new_page(media_browser)
    uploads: list[str] = []
    tickets: list[str] = []
    multiparts: list[bool] = []

    def interrupt(route: Route) -> None:
        if route.request.method not in ("POST", "PUT"):
            route.continue_()
            return
        uploads.append(route.request.url)
        if len(uploads) == 1:
            route.abort("connectionreset")  # dropped mid-way: nothing reached the store
        elif len(uploads) == 2:
            route.fetch()  # the store kept the whole file, but the answer never reached the page
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(lambda url: is_upload(app, url), interrupt)

    def note_ticket(response) -> None:
        if response.url.endswith("/ticket"):
            ticket = response.json()
            multiparts.append("multipart" in ticket)
            tickets.append(ticket["key"])

    page.on("response", note_ticket)
    page.goto(f"{live_server.url}{ids['link']}/q/1")

    status = page.locator("[data-status]")
    # After each failure the page says it retries, keeps showing the progress bar and keeps the recording.
    expect(status).to_contain_text("Connection problem. Trying again in 1 seconds", timeout=30_000)
    expect(page.locator("[data-progress-wrap]")).to_be_visible()
    expect(status).to_contain_text("Connection problem. Trying again in 2 seconds", timeout=30_000)
    kept = page.evaluate(READ_PENDING, store_key)
    assert kept and kept["size"] > 0 and kept["key"] is None and kept["uploadKey"] == tickets[0]

    expect(status).to_contain_text("Your answer is saved.", timeout=45_000)
    assert page.evaluate(READ_PENDING, store_key) is None  # released once the server confirmed it
    # The third ticket of a multipart upload lists no part: the second try had stored it already.
    assert len(uploads) == (2 if multipart else 3) and len(tickets) == 3
    assert set(tickets) == {tickets[0]}  # every retry wrote the same object
    assert multiparts == [multipart] * 3
    assert errors == []
    context.close()

    with app.app_context():
        answers = db.session.scalars(
            db.select(InterviewAnswer).where(
                InterviewAnswer.invitation_id == ids["invitation"], InterviewAnswer.submitted_at.is_not(None)
            )
        ).all()
        assert len(answers) == 1
        assert answers[0].video_key == tickets[0] and answers[0].attempts == 1
        assert db.session.scalars(db.select(InterviewUpload)).all() == []
    assert stored_answer_keys(app, request, ids["invitation"]) == [tickets[0]]
    if app.config["STORAGE_BACKEND"] == "s3":
        s3 = request.getfixturevalue("s3_server").admin_client()
        assert s3.list_multipart_uploads(Bucket=app.config["S3_BUCKET"]).get("Uploads", []) == []
