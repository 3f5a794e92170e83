# SPDX-License-Identifier: AGPL-3.0-or-later
"""The password policy: long enough, not common, not easy to guess."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's cost grows with length; beyond this a password is long enough to judge by its start.
_STRENGTH_SAMPLE = 64


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, user_inputs: Iterable[str] = ()) -> list[str]:
    """Reasons a new password is refused; empty when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [str(_l("Use at least %(count)d characters.", count=MIN_LENGTH))]
    if len(password) > MAX_LENGTH:
        return [str(_l("Use at most %(count)d characters.", count=MAX_LENGTH))]
    if password.lower() in _common_passwords():
        return [str(_l("This password is one of the most common ones. Choose another."))]
    inputs = [value for value in user_inputs if value]
    if zxcvbn(password[:_STRENGTH_SAMPLE], user_inputs=inputs)["score"] < 3:
        return [
            str(
                _l(
                    "This password is too easy to guess. Add a few uncommon words or mix in unrelated characters."
                )
            )
        ]
    return []
