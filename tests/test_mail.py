# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outgoing mail: built, branded and localised, and sent only after the database commit."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import ChoiceLoader, DictLoader

from app.core import mail
from app.core.extensions import db
from app.models import Organization
from tests.fixtures.smtp import SmtpServer

# Templates that stand in for a feature's mail; they extend the real layouts.
TEST_TEMPLATES = {
    "mail/test_notice.txt": (
        '{% extends "mail/_layout.txt" %}{% block body %}Hello {{ candidate }},\n\n'
        "Open your application: {{ link }}\nlang={{ lang }}{% endblock %}"
    ),
    "mail/test_notice.html": (
        '{% extends "mail/_layout.html" %}{% block body %}<p>Hello {{ candidate }},</p>'
        '<p><a href="{{ link }}" style="background-color:{{ brand.accent_color }};'
        'color:{{ brand.button_text_color }};">Open your application</a></p>{% endblock %}'
    ),
}


def use_test_templates(app: Flask) -> None:
    """Let the app find the stand-in mail templates next to the real ones."""
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEST_TEMPLATES), app.jinja_env.loader])


@pytest.fixture
def smtp_app(app_environ: dict[str, str], smtp_server: SmtpServer, request: pytest.FixtureRequest) -> Flask:
    """The test app configured to deliver to the loopback SMTP server."""
    app_environ["SMTP_URL"] = smtp_server.url
    app = request.getfixturevalue("app")
    use_test_templates(app)
    return app


@pytest.fixture
def outbox_app(app: Flask) -> Iterator[Flask]:
    """The test app with no SMTP server: mail lands in the local outbox."""
    assert not app.config["SMTP_URL"]
    use_test_templates(app)
    yield app


def create_organization(**overrides: str) -> Organization:
    """Add and commit an organization (the caller holds an app context)."""
    fields = {
        "name": "Acme & Co",
        "slug": "acme",
        "primary_color": "#112233",
        "accent_color": "#f0e68c",
        "default_language": "en",
        **overrides,
    }
    organization = Organization(**fields)
    db.session.add(organization)
    db.session.commit()
    return organization


def notify(subject: str = "Your application", **overrides: object) -> None:
    """Queue the stand-in notice to Ada."""
    arguments: dict[str, object] = {
        "to": "ada@example.com",
        "subject": subject,
        "template": "test_notice",
        "candidate": "Ada",
        "link": "http://localhost/applications/abc",
        **overrides,
    }
    mail.send_mail(**arguments)  # type: ignore[arg-type]


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and HTML bodies of a message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def subjects(smtp_server: SmtpServer) -> list[str]:
    """Subjects received so far, in order."""
    return [str(received.message["Subject"]) for received in smtp_server.messages]


def test_mail_reaches_the_smtp_server_only_after_commit(smtp_app: Flask, smtp_server: SmtpServer) -> None:
    with smtp_app.app_context():
        organization = create_organization()
        notify(organization=organization)
        assert smtp_server.messages == []  # jobs run inline in tests, so nothing was dispatched yet

        db.session.commit()

    received = smtp_server.wait_for(1)[0]
    message = received.message
    assert received.rcpt_tos == ["ada@example.com"]
    assert message["To"] == "ada@example.com"
    assert message["From"] == smtp_app.config["MAIL_FROM"]
    assert message["Subject"] == "Your application"
    assert message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert "Hello Ada," in text
    assert "http://localhost/applications/abc" in text
    assert "Acme & Co" in text  # the text part stands on its own
    assert "<" not in text
    assert "Acme &amp; Co" in html
    assert "background-color:#112233" in html
    assert "background-color:#f0e68c" in html
    assert "color:#111111" in html  # dark text on the light accent colour


def test_rollback_discards_queued_mail(smtp_app: Flask, smtp_server: SmtpServer) -> None:
    with smtp_app.app_context():
        organization = create_organization()
        notify("Discarded", organization=organization)
        db.session.rollback()
        db.session.commit()

        notify("Sent", organization=organization)
        db.session.commit()

    smtp_server.wait_for(1)
    assert subjects(smtp_server) == ["Sent"]


def test_savepoints_hold_their_mail_until_the_outer_commit(smtp_app: Flask, smtp_server: SmtpServer) -> None:
    with smtp_app.app_context():
        notify("Outer")
        savepoint = db.session.begin_nested()
        notify("Rolled back with the savepoint")
        savepoint.rollback()

        with db.session.begin_nested():
            notify("Released savepoint")
        assert smtp_server.messages == []  # releasing a savepoint is not the commit

        db.session.commit()

    smtp_server.wait_for(2)
    assert subjects(smtp_server) == ["Outer", "Released savepoint"]


def test_mail_queued_before_any_query_waits_for_the_commit(smtp_app: Flask, smtp_server: SmtpServer) -> None:
    # As in a CLI command: send_mail is the first thing that touches the session.
    with smtp_app.app_context():
        notify("System mail")
        assert smtp_server.messages == []
        db.session.commit()

    message = smtp_server.wait_for(1)[0].message
    text, html = parts(message)
    assert "Openround" in text
    assert "background-color:#1f4b99" in html  # Openround's own colours without an organization


def test_a_session_closed_without_commit_sends_nothing(smtp_app: Flask, smtp_server: SmtpServer) -> None:
    with smtp_app.app_context():
        organization = create_organization()
        notify("Abandoned", organization=organization)
        db.session.close()

        notify("Committed")
        db.session.commit()

    smtp_server.wait_for(1)
    assert subjects(smtp_server) == ["Committed"]


def test_user_data_is_escaped_in_html_and_kept_plain_in_text(
    smtp_app: Flask, smtp_server: SmtpServer
) -> None:
    with smtp_app.app_context():
        organization = create_organization(name="<b>Bold</b> Inc")
        notify(
            "Line one\r\nBcc: victim@example.com", organization=organization, candidate="<script>x</script>"
        )
        db.session.commit()

    received = smtp_server.wait_for(1)[0]
    text, html = parts(received.message)
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; Inc" in html
    assert "<b>" not in html  # the organization's name is escaped in the header and footer alike
    assert "Hello <script>x</script>," in text
    assert received.message["Subject"] == "Line one Bcc: victim@example.com"
    assert received.message["Bcc"] is None
    assert received.rcpt_tos == ["ada@example.com"]


def test_mail_is_rendered_in_the_recipients_language(outbox_app: Flask) -> None:
    with outbox_app.app_context():
        organization = create_organization(default_language="it")
        notify("Italian by organization", organization=organization)
        notify("English by choice", organization=organization, locale="en")
        notify("Unsupported falls back", locale="de")
        db.session.commit()
        messages = {m.subject: m for m in mail.list_outbox(outbox_app.config["MAIL_OUTBOX_PATH"])}

    italian = messages["Italian by organization"]
    assert "lang=it" in (italian.text or "")
    assert '<html lang="it">' in (italian.html or "")
    assert ("Content-Language", "it") in italian.headers
    assert "lang=en" in (messages["English by choice"].text or "")
    assert ("Content-Language", "en") in messages["Unsupported falls back"].headers


def test_without_smtp_mail_lands_in_the_outbox_and_shows_at_dev_outbox(
    outbox_app: Flask, client: FlaskClient
) -> None:
    outbox = Path(outbox_app.config["MAIL_OUTBOX_PATH"])
    with outbox_app.app_context():
        organization = create_organization()
        notify("Benvenuta, Zoë", organization=organization, candidate="Zoë")
        assert not outbox.exists() or not any(outbox.iterdir())
        db.session.commit()

    files = sorted(outbox.iterdir())
    assert len(files) == 1 and files[0].suffix == ".eml"  # no temporary file left behind
    raw = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert raw["Subject"] == "Benvenuta, Zoë"
    assert "Hello Zoë," in parts(raw)[0]

    listing = client.get("/dev/outbox")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert "Benvenuta, Zoë" in page
    assert "ada@example.com" in page
    assert f"/dev/outbox/{files[0].name}" in page

    detail = client.get(f"/dev/outbox/{files[0].name}")
    assert detail.status_code == 200
    page = detail.get_data(as_text=True)
    assert "Hello Zoë," in page
    assert "&lt;html lang=&#34;en&#34;&gt;" in page or "&lt;html lang=&quot;en&quot;&gt;" in page

    download = client.get(f"/dev/outbox/{files[0].name}/raw")
    assert download.status_code == 200
    assert download.mimetype == "message/rfc822"
    assert download.data == files[0].read_bytes()


@pytest.mark.parametrize(
    "name",
    ["nope.eml", "..%2F..%2Fconfig.py", "20250101T000000000000Z-0123456789abcdef.eml", "..", "x" * 300],
)
def test_dev_outbox_404s_for_invalid_or_unknown_names(
    outbox_app: Flask, client: FlaskClient, name: str
) -> None:
    assert client.get(f"/dev/outbox/{name}").status_code == 404
    assert client.get(f"/dev/outbox/{name}/raw").status_code == 404


def test_outbox_helpers_reject_path_traversal(tmp_path: Path) -> None:
    secret = tmp_path / "secret.eml"
    secret.write_text("Subject: secret\n\nsecret\n")
    outbox = tmp_path / "outbox"
    written = mail.write_to_outbox("Subject: hi\nTo: a@example.com\n\nhello\n", outbox)

    assert mail.read_outbox_message(outbox, "../secret.eml") is None
    assert mail.outbox_file(outbox, f"../outbox/{written.name}") is None
    assert [m.name for m in mail.list_outbox(outbox)] == [written.name]
    assert mail.list_outbox(tmp_path / "missing") == []


def test_outbox_lists_newest_first(tmp_path: Path) -> None:
    first = mail.write_to_outbox("Subject: first\n\n1\n", tmp_path)
    second = mail.write_to_outbox("Subject: second\n\n2\n", tmp_path)
    assert [m.subject for m in mail.list_outbox(tmp_path)] == ["second", "first"]
    assert first.name < second.name


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", mail.SmtpSettings("plain", "mail.example.com", 25, None, None)),
        (
            "smtp+starttls://user%40example.com:p%40ss%3Aw%2Frd@mail.example.com",
            mail.SmtpSettings("starttls", "mail.example.com", 587, "user@example.com", "p@ss:w/rd"),
        ),
        ("smtps://u:p@mail.example.com:2465", mail.SmtpSettings("tls", "mail.example.com", 2465, "u", "p")),
        ("smtp://127.0.0.1:1025", mail.SmtpSettings("plain", "127.0.0.1", 1025, None, None)),
    ],
)
def test_parse_smtp_url(url: str, expected: mail.SmtpSettings) -> None:
    assert mail.parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url", ["http://mail.example.com", "smtp://", "smtp://host:notaport", "mail.example.com"]
)
def test_parse_smtp_url_rejects_nonsense(url: str) -> None:
    with pytest.raises(mail.InvalidSmtpUrl):
        mail.parse_smtp_url(url)


def test_delivery_is_retried_with_backoff() -> None:
    assert (mail.MAIL_ATTEMPTS, mail.MAIL_RETRY_DELAY) == (8, 60)
