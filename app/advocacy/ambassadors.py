# SPDX-License-Identifier: AGPL-3.0-or-later
"""Inviting employees as ambassadors: one at a time, or many from a CSV file (all or nothing)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from app.admin.services import internal_email_domains, invite_user
from app.advocacy.services import ensure_ambassador
from app.auth.emails import check_staff_email, email_shape_problem
from app.core import mail
from app.core.audit import record_audit
from app.core.errors import Invalid, PermissionDenied
from app.core.extensions import db
from app.core.urls import public_url
from app.models import Role, User
from config import SUPPORTED_LANGUAGES

MAX_IMPORT_ROWS = 500
MAX_IMPORT_BYTES = 256 * 1024
NAME_MAX_LENGTH = 120
LANGUAGE_ALIASES = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "inglese": "en",
    "it": "it",
    "ita": "it",
    "italian": "it",
    "italiano": "it",
}
HEADERS = {
    "name": {"name", "full name", "nome", "nome e cognome", "nominativo"},
    "email": {
        "email",
        "e-mail",
        "mail",
        "email address",
        "e-mail address",
        "indirizzo email",
        "indirizzo e-mail",
    },
    "language": {"language", "lang", "lingua", "locale"},
}
POSITIONS = {"name": 0, "email": 1, "language": 2}


@dataclass(frozen=True)
class ImportRow:
    """One employee to invite, as read from the file (``line`` as a spreadsheet numbers it)."""

    line: int
    name: str
    email: str
    language: str | None


@dataclass(frozen=True)
class RowError:
    """What is wrong with one line of the file."""

    line: int
    email: str
    message: str


class ImportRejected(Invalid):
    """The file had problems: nothing was imported; ``errors`` lists them line by line."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            str(_l("Nothing was imported: fix the rows below and upload the file again.")), field="file"
        )
        self.errors = errors


@dataclass
class ParsedFile:
    """The rows worth importing and the problems found, in file order."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def require_admin(actor: User) -> None:
    """Only administrators invite colleagues."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(str(_l("Only administrators can manage colleagues.")))


def decode_csv(data: bytes) -> str:
    """The file as text: UTF-8 (with or without the BOM spreadsheets add); Invalid otherwise."""
    if not data.strip():
        raise Invalid(str(_l("The file is empty.")), field="file")
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid(
            str(
                _l(
                    "The file is larger than %(size)d KB. Split it into smaller files.",
                    size=MAX_IMPORT_BYTES // 1024,
                )
            ),
            field="file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            str(_l("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”.")), field="file"
        ) from None


def pick_delimiter(text: str) -> str:
    """Comma, semicolon (Italian spreadsheets) or tab: whichever the first line uses most."""
    first_line = text.lstrip().splitlines()[0] if text.strip() else ""
    return max((",", ";", "\t"), key=first_line.count)


def column_positions(cells: list[str]) -> dict[str, int] | None:
    """Where name, e-mail and language are, if ``cells`` is a header row; None for a data row."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        label = " ".join(cell.strip().lower().split())
        for column, names in HEADERS.items():
            if label in names and column not in found:
                found[column] = index
    return found if "email" in found else None


def cell(cells: list[str], position: int | None) -> str:
    """The trimmed value at ``position`` ('' when the row is shorter)."""
    if position is None or position >= len(cells):
        return ""
    return cells[position].strip()


def check_row(
    line: int, name: str, email: str, language: str, internal_domains: Iterable[str] = ()
) -> ImportRow | RowError:
    """One row as an employee to invite (staff address rule included), or what is wrong with it."""
    shown = email or "—"
    if not email:
        return RowError(line, shown, str(_l("The e-mail address is missing.")))
    if len(email) > 254:
        return RowError(line, shown, str(_l("The e-mail address is too long.")))
    if email_shape_problem(email):
        return RowError(line, shown, str(_l("“%(email)s” is not a valid e-mail address.", email=email[:254])))
    try:
        email = check_staff_email(email, internal_domains)
    except Invalid as error:
        return RowError(line, shown, error.message)
    if not name:
        return RowError(line, shown, str(_l("The name is missing.")))
    if len(name) > NAME_MAX_LENGTH:
        return RowError(
            line, shown, str(_l("The name is longer than %(max)d characters.", max=NAME_MAX_LENGTH))
        )
    code = None
    if language:
        code = LANGUAGE_ALIASES.get(language.lower())
        if code not in SUPPORTED_LANGUAGES:
            return RowError(
                line,
                shown,
                str(
                    _l(
                        "Unknown language “%(language)s”: write en or it, or leave it empty.",
                        language=language[:20],
                    )
                ),
            )
    return ImportRow(line, name, email, code)


def parse_employee_csv(data: bytes, internal_domains: Iterable[str] = ()) -> ParsedFile:
    """Read name, e-mail and optional language per row (a header row is optional); collect every problem."""
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text), delimiter=pick_delimiter(text))
    parsed = ParsedFile()
    positions: dict[str, int] | None = None
    seen: dict[str, int] = {}
    first = True
    try:
        for cells in reader:
            if not any(value.strip() for value in cells):
                continue
            if first:
                first = False
                positions = column_positions(cells)
                if positions is not None:
                    continue
            where = positions or POSITIONS
            line = reader.line_num
            result = check_row(
                line,
                " ".join(cell(cells, where.get("name")).split()),
                cell(cells, where.get("email")),
                cell(cells, where.get("language")),
                internal_domains,
            )
            if isinstance(result, RowError):
                parsed.errors.append(result)
                continue
            if result.email in seen:
                parsed.errors.append(
                    RowError(
                        line,
                        result.email,
                        str(_l("This address is also on row %(row)d.", row=seen[result.email])),
                    )
                )
                continue
            seen[result.email] = line
            parsed.rows.append(result)
            if len(parsed.rows) + len(parsed.errors) > MAX_IMPORT_ROWS:
                raise Invalid(
                    str(_l("Import at most %(count)d people at a time.", count=MAX_IMPORT_ROWS)), field="file"
                )
    except csv.Error:
        raise Invalid(
            str(_l("Row %(row)d could not be read as CSV (check its quotes).", row=reader.line_num)),
            field="file",
        ) from None
    if not parsed.rows and not parsed.errors:
        raise Invalid(str(_l("The file has no one to import.")), field="file")
    return parsed


def existing_account_errors(rows: list[ImportRow]) -> list[RowError]:
    """Rows whose address already has a staff account (here or in another organization)."""
    emails = [row.email for row in rows]
    taken = set(db.session.scalars(db.select(User.email).where(User.email.in_(emails)))) if emails else set()
    return [
        RowError(row.line, row.email, str(_l("There is already an account with this address.")))
        for row in rows
        if row.email in taken
    ]


def invite_employee(
    actor: User, *, name: str, email: str, language: str | None, ttl: timedelta
) -> tuple[User, str]:
    """Invite one employee (role employee) through the admin service, ready to share jobs."""
    require_admin(actor)
    user, token = invite_user(actor, email=email, name=name, role=Role.EMPLOYEE, ttl=ttl)
    if language in SUPPORTED_LANGUAGES:
        user.language = language
    ensure_ambassador(user)
    return user, token


def import_employees(actor: User, data: bytes, ttl: timedelta) -> list[tuple[User, str]]:
    """Invite everyone in the file, or no one: ImportRejected lists every problem row by row."""
    require_admin(actor)
    parsed = parse_employee_csv(data, internal_email_domains(actor.organization))
    errors = sorted([*parsed.errors, *existing_account_errors(parsed.rows)], key=lambda error: error.line)
    if errors:
        raise ImportRejected(errors)
    invited = [
        invite_employee(actor, name=row.name, email=row.email, language=row.language, ttl=ttl)
        for row in parsed.rows
    ]
    record_audit(
        actor.organization_id,
        actor,
        "advocacy.employees_imported",
        "organization",
        actor.organization_id,
        count=len(invited),
    )
    return invited


def send_ambassador_invitation(actor: User, user: User, token: str, ttl: timedelta) -> None:
    """Mail the invitation: what being an ambassador means, and the link to choose a password."""
    mail.send_mail(
        to=user.email,
        subject=_l(
            "%(name)s invited you to share jobs at %(organization)s",
            name=actor.name,
            organization=actor.organization.name,
        ),
        template="ambassador_invitation",
        organization=actor.organization,
        locale=user.language,
        inviter=actor,
        user=user,
        link=public_url("auth.accept_invitation", token=token),
        expires_in_days=ttl.days,
    )
