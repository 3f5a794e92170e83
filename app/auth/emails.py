# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one rule for staff e-mail addresses, shared by the CLI, invitations, staff forms and sign-in.

An address is first checked for shape (a valid local part, an ``@`` and a well-formed domain):
every form that takes a staff address, sign-in included, checks exactly this, so anything that
can be created can also sign in. Creating an account then applies the organization's rule: the
domain must be a public one, unless the organization lists it among its internal domains
(intranets on ``corp.local``, ``intranet`` and the like).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from email_validator.syntax import validate_email_local_part
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, ValidationError

from app.core.errors import Invalid

MAX_LENGTH = 254
MAX_INTERNAL_DOMAINS = 20
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def is_hostname(domain: str) -> bool:
    """A domain of letters, digits and inner hyphens in dot-separated labels (IDNs as ``xn--``)."""
    labels = domain.split(".")
    return 0 < len(domain) <= 253 and all(_LABEL.match(label) for label in labels)


def _split(email: str) -> tuple[str, str]:
    local, at, domain = email.rpartition("@")
    return (local, domain) if at else ("", "")


def _domain_to_ascii(domain: str) -> str | None:
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def email_shape_problem(email: str) -> str | None:
    """Why ``email`` is not shaped like an address (None when it is); no domain policy applied."""
    email = email.strip()
    local, domain = _split(email)
    if not local or not domain or len(email) > MAX_LENGTH:
        return str(_l("Write an e-mail address like name@example.com."))
    try:
        validate_email_local_part(local, allow_smtputf8=True, allow_empty_local=False)
    except EmailNotValidError:
        return str(_l("Write an e-mail address like name@example.com."))
    ascii_domain = _domain_to_ascii(domain)
    if ascii_domain is None or not is_hostname(ascii_domain):
        return str(_l("Write an e-mail address like name@example.com."))
    return None


def parse_internal_domains(text: str) -> list[str]:
    """Internal domains written one per line (or separated by commas or spaces), checked."""
    domains: list[str] = []
    for raw in re.split(r"[\s,;]+", text.strip().lower()):
        domain = raw.lstrip("@").strip(".")
        if not domain:
            continue
        ascii_domain = _domain_to_ascii(domain)
        if ascii_domain is None or not is_hostname(ascii_domain):
            raise Invalid(
                str(_l("“%(domain)s” is not a domain name.", domain=raw[:80])), field="staff_email_domains"
            )
        if ascii_domain not in domains:
            domains.append(ascii_domain)
    if len(domains) > MAX_INTERNAL_DOMAINS:
        raise Invalid(
            str(_l("List at most %(count)d internal domains.", count=MAX_INTERNAL_DOMAINS)),
            field="staff_email_domains",
        )
    return domains


def is_internal(domain: str, internal_domains: Iterable[str]) -> bool:
    """True when ``domain`` is one of ``internal_domains`` or a subdomain of one."""
    return any(domain == allowed or domain.endswith("." + allowed) for allowed in internal_domains)


def check_staff_email(email: str, internal_domains: Iterable[str] = ()) -> str:
    """The normalized staff address, or Invalid on ``email``: public domains, or the listed internal ones."""
    problem = email_shape_problem(email)
    if problem:
        raise Invalid(problem, field="email")
    normalized = normalize_email(email)
    domain = _domain_to_ascii(_split(normalized)[1]) or ""
    if is_internal(domain, internal_domains):
        return normalized
    try:
        validate_email(normalized, check_deliverability=False, allow_quoted_local=False)
    except EmailNotValidError:
        raise Invalid(
            str(
                _l(
                    "%(domain)s is not a public e-mail domain. An administrator can allow internal domains under Admin → Organization → Security.",
                    domain=domain,
                )
            ),
            field="email",
        ) from None
    return normalized


class StaffEmail:
    """WTForms validator: the shape every staff address must have (the same one everywhere)."""

    def __call__(self, form: Form, field: Field) -> None:
        problem = email_shape_problem(field.data or "")
        if problem:
            raise ValidationError(problem)
