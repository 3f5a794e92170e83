# SPDX-License-Identifier: AGPL-3.0-or-later
"""Placeholders in message templates: ``{candidate_name}`` and friends, checked and filled safely.

Only plain names from a fixed list are replaced, by string substitution (never ``str.format``,
which would let ``{candidate.__class__}`` reach into objects). ``{{`` and ``}}`` stand for
literal braces; anything else between braces, or a lone brace, is reported to the author.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.core.errors import Invalid

# The names a template may use, in the order the editing page lists them, with what they become.
PLACEHOLDERS: dict[str, object] = {
    "candidate_name": _l("The candidate's full name"),
    "first_name": _l("The candidate's first name"),
    "job_title": _l("The job's title"),
    "organization": _l("Your organization's name"),
    "portal_link": _l("The address of the candidate's page, where they follow their applications"),
    "sender_name": _l("Your name"),
}
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class PlaceholderProblem:
    """What is wrong with the braces of a text."""

    unknown: tuple[str, ...]
    lone_brace: bool


def find_problems(text: str) -> PlaceholderProblem | None:
    """Unknown placeholders and lone braces in ``text``; None when it is fine."""
    unknown: list[str] = []
    lone = False
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None:
            lone = True
        elif match.group(1).strip() not in PLACEHOLDERS and token not in unknown:
            unknown.append(token)
    if unknown or lone:
        return PlaceholderProblem(tuple(unknown), lone)
    return None


def check_placeholders(text: str, field: str) -> None:
    """Raise Invalid on ``field`` naming what cannot be filled in."""
    problem = find_problems(text)
    if problem is None:
        return
    known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    if problem.unknown:
        message = _l(
            "Unknown placeholder %(names)s. You can use: %(known)s.",
            names=", ".join(problem.unknown),
            known=known,
        )
    else:
        message = _l("A brace is not closed. Write {{ or }} for a brace, or use: %(known)s.", known=known)
    raise Invalid(str(message), field=field)


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every placeholder replaced by its value (checked first with check_placeholders)."""

    def replace(match: re.Match[str]) -> str:
        piece = match.group(0)
        if piece in ("{{", "}}"):
            return piece[0]
        name = (match.group(1) or "").strip()
        return values.get(name, piece) if match.group(1) is not None else piece

    return _TOKEN.sub(replace, text)
