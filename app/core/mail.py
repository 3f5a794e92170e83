# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outgoing mail: rendered in the recipient's language, sent only after the database commit.

:func:`send_mail` builds the message and records it as an outbox row (``app.core.outbox``) in the
current transaction. Once committed, the relay delivers it over SMTP (``SMTP_URL``) or writes
an ``.eml`` file to the local mail folder (``MAIL_OUTBOX_PATH``), retrying with backoff; a
rollback, or a session closed without committing, drops it with the rest of the transaction.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, render_template
from flask_babel import LazyString, force_locale, get_locale

from app.core import outbox
from app.models.outbox import OutboxKind
from app.models.outbox import OutboxMessage as OutboxRow

logger = logging.getLogger(__name__)

MAIL_ATTEMPTS = 8  # about four hours of retries with the delay doubling from one minute
MAIL_RETRY_DELAY = 60
SMTP_TIMEOUT = 30
DEFAULT_BRAND_NAME = "Openround"
DEFAULT_PRIMARY_COLOR = "#1f4b99"
DEFAULT_ACCENT_COLOR = "#e4572e"
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
OUTBOX_NAME = re.compile(r"\d{8}T\d{12}Z-[0-9a-f]{16}\.eml")
SMTP_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


@dataclass(frozen=True)
class MailBranding:
    """Name and colours the HTML layout is drawn with."""

    name: str
    primary_color: str
    accent_color: str
    header_text_color: str  # readable on primary_color
    button_text_color: str  # readable on accent_color


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server, parsed from ``SMTP_URL``."""

    security: str  # "plain", "starttls" or "tls"
    host: str
    port: int
    username: str | None
    password: str | None


@dataclass(frozen=True)
class OutboxMessage:
    """One message from the local outbox, parsed for display."""

    name: str
    date: datetime | None
    sender: str
    to: str
    subject: str
    headers: list[tuple[str, str]]
    text: str | None
    html: str | None


class InvalidSmtpUrl(ValueError):
    """``SMTP_URL`` is not ``smtp://``, ``smtp+starttls://`` or ``smtps://`` with a host."""


def init_app(app: Flask) -> None:
    """Refuse a malformed SMTP_URL at start-up rather than at the first e-mail."""
    if app.config.get("SMTP_URL"):
        parse_smtp_url(app.config["SMTP_URL"])


def send_mail(
    *,
    to: str,
    subject: str | LazyString,
    template: str,
    organization: Any = None,
    locale: str | None = None,
    reply_to: str | None = None,
    dedupe_key: str | None = None,
    **context: Any,
) -> None:
    """Render ``mail/<template>.txt`` and ``.html`` and send them once the session commits.

    With ``dedupe_key`` (e.g. ``reminder:<invitation>:24h``) the message is recorded at most once.
    """
    message = build_message(
        to=to,
        subject=subject,
        template=template,
        organization=organization,
        locale=locale,
        reply_to=reply_to,
        **context,
    )
    outbox.add_message(
        OutboxKind.MAIL,
        "mail",
        {"raw": message.as_string(), "to": to, "template": template},
        dedupe_key=dedupe_key,
        organization_id=getattr(organization, "id", None),
        max_attempts=MAIL_ATTEMPTS,
        retry_delay=MAIL_RETRY_DELAY,
    )


def build_message(
    *,
    to: str,
    subject: str | LazyString,
    template: str,
    organization: Any = None,
    locale: str | None = None,
    reply_to: str | None = None,
    **context: Any,
) -> EmailMessage:
    """Render a branded text and HTML message in the recipient's language."""
    language = mail_language(locale, organization)
    brand = branding_for(organization)
    with force_locale(language):
        subject_text = " ".join(str(subject).split())  # a stray newline must not break the header
        variables = {
            **context,
            "subject": subject_text,
            "organization": organization,
            "brand": brand,
            "lang": str(get_locale()),
            "public_url": current_app.config["PUBLIC_URL"],
        }
        text = render_template(f"mail/{template}.txt", **variables)
        html = render_template(f"mail/{template}.html", **variables)

    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["Subject"] = subject_text
    message["From"] = sender
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=_sender_domain(sender))
    # Quoted-printable keeps the raw message 7-bit, so any SMTP server (and the queue) takes it.
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    # After the parts: add_alternative moves every Content-* header down into the text part.
    message["Content-Language"] = language
    return message


def mail_language(locale: str | None, organization: Any = None) -> str:
    """The explicit locale, else the organization's language, else English."""
    languages = current_app.config["LANGUAGES"]
    candidate = locale or getattr(organization, "default_language", None) or "en"
    return candidate if candidate in languages else current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def branding_for(organization: Any) -> MailBranding:
    """The organization's name and colours, or Openround's for system mail."""
    if organization is None:
        name, primary, accent = DEFAULT_BRAND_NAME, DEFAULT_PRIMARY_COLOR, DEFAULT_ACCENT_COLOR
    else:
        name = organization.name
        primary = _hex_or(organization.primary_color, DEFAULT_PRIMARY_COLOR)
        accent = _hex_or(organization.accent_color, DEFAULT_ACCENT_COLOR)
    return MailBranding(name, primary, accent, readable_text_color(primary), readable_text_color(accent))


def readable_text_color(background: str) -> str:
    """Black or white, whichever reads better on the given ``#rrggbb`` background."""
    red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red**2.2 + 0.7152 * green**2.2 + 0.0722 * blue**2.2
    return "#111111" if luminance > 0.35 else "#ffffff"


def _hex_or(value: str | None, default: str) -> str:
    # The model validates colours; these values end up inside style attributes, so check again.
    return value if value and HEX_COLOR.fullmatch(value) else default


def _sender_domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"


# -- delivery -----------------------------------------------------------------------------


def deliver_outbox_mail(message: OutboxRow) -> None:
    """Outbox handler: deliver one recorded message; a permanent SMTP refusal is not retried."""
    try:
        deliver(message.payload["raw"])
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        if _is_permanent(exc):
            # A 5xx answer will not change on retry.
            raise outbox.PermanentFailure(f"Rejected by the SMTP server: {exc}") from exc
        raise


outbox.register_handler(OutboxKind.MAIL, deliver_outbox_mail)


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return getattr(exc, "smtp_code", 0) >= 500


def deliver(raw_message: str) -> None:
    """Send a serialized message now: over SMTP if configured, else into the local outbox."""
    smtp_url = current_app.config.get("SMTP_URL")
    if smtp_url:
        message = message_from_bytes(raw_message.encode("utf-8"), policy=policy.default)
        send_smtp(message, parse_smtp_url(smtp_url))
    else:
        write_to_outbox(raw_message, current_app.config["MAIL_OUTBOX_PATH"])


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read ``smtp://``, ``smtp+starttls://`` or ``smtps://[user:pass@]host[:port]``."""
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise InvalidSmtpUrl("SMTP_URL must look like smtp+starttls://user:password@host:587")
    security, default_port = SMTP_SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise InvalidSmtpUrl("SMTP_URL has an invalid port") from None
    return SmtpSettings(
        security=security,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def send_smtp(message: EmailMessage, settings: SmtpSettings) -> None:
    """Deliver one message over SMTP, with STARTTLS or implicit TLS when asked."""
    context = ssl.create_default_context()
    if settings.security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=SMTP_TIMEOUT, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    with client:
        if settings.security == "starttls":
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(message)


# -- local outbox -------------------------------------------------------------------------


def write_to_outbox(raw_message: str, directory: str | Path) -> Path:
    """Write a message as ``<UTC timestamp>-<random>.eml``, atomically, and return its path."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(8)}.eml"
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw_message.encode("utf-8"))
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return folder / name


def outbox_file(directory: str | Path, name: str) -> Path | None:
    """The path of an outbox message, or None for a malformed or unknown name."""
    if not OUTBOX_NAME.fullmatch(name):
        return None
    path = Path(directory) / name
    return path if path.is_file() else None


def list_outbox(directory: str | Path) -> list[OutboxMessage]:
    """Every message in the outbox, newest first."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.iterdir() if OUTBOX_NAME.fullmatch(p.name)), reverse=True)
    return [message for name in names if (message := read_outbox_message(folder, name)) is not None]


def read_outbox_message(directory: str | Path, name: str) -> OutboxMessage | None:
    """One parsed outbox message, or None for a malformed or unknown name."""
    path = outbox_file(directory, name)
    if path is None:
        return None
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    date_header = message["Date"]
    return OutboxMessage(
        name=name,
        date=getattr(date_header, "datetime", None),
        sender=str(message["From"] or ""),
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        headers=[(key, str(value)) for key, value in message.items()],
        text=text.get_content() if text is not None else None,
        html=html.get_content() if html is not None else None,
    )
