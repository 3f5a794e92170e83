# SPDX-License-Identifier: AGPL-3.0-or-later
"""English and Italian: the locale comes from the user, then the organization, then the browser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from app.core.extensions import db
from app.models import Role, User
from tests.factories import make_organization, make_user
from tests.helpers import login, submit, text_of

ROOT = Path(__file__).resolve().parent.parent


def test_browser_language_is_used_for_visitors(client):
    assert "Accedi" in text_of(client.get("/login", headers={"Accept-Language": "it-IT,it;q=0.9"}))
    assert "Sign in" in text_of(client.get("/login", headers={"Accept-Language": "en-GB"}))
    assert 'lang="it"' in text_of(client.get("/login", headers={"Accept-Language": "it"}))


def test_organization_language_beats_the_browser_and_user_language_beats_both(app, client):
    with app.app_context():
        organization = make_organization(default_language="it")
        make_user(organization, Role.RECRUITER, email="r@example.com", name="Rita")
        db.session.commit()
    login(client, "r@example.com")
    english_browser = {"Accept-Language": "en"}
    assert "Benvenuto, Rita" in text_of(client.get("/app/", headers=english_browser))
    with app.app_context():
        db.session.scalar(db.select(User).where(User.email == "r@example.com")).language = "en"
        db.session.commit()
    assert "Welcome, Rita" in text_of(client.get("/app/", headers={"Accept-Language": "it"}))


def test_every_message_has_an_italian_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(template),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wanted = {message.id for message in read_po(template.open("rb")) if message.id}
    with (ROOT / "app/translations/it/LC_MESSAGES/messages.po").open("rb") as catalog_file:
        catalog = read_po(catalog_file)
    translated = {
        message.id
        for message in catalog
        if message.id
        and not message.fuzzy
        and all(message.string if message.pluralizable else [message.string])
    }
    missing = sorted(str(item) for item in wanted - translated)
    assert missing == [], "run `make extract-messages` and translate: " + "; ".join(missing[:10])


def test_people_choose_their_own_language(app, client):
    with app.app_context():
        make_user(make_organization(default_language="en"), Role.MANAGER, email="m@example.com", name="Marta")
        db.session.commit()
    login(client, "m@example.com")
    response = submit(client, "/account", {"name": "Marta Rossi", "language": "it"})
    assert response.status_code == 302
    assert "Benvenuto, Marta Rossi" in text_of(client.get("/app/", headers={"Accept-Language": "en"}))
    bad = submit(client, "/account", {"name": "", "language": "fr"})
    assert bad.status_code == 400
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "m@example.com"))
        assert (user.name, user.language) == ("Marta Rossi", "it")
