# SPDX-License-Identifier: AGPL-3.0-or-later
"""Voice of candidates and employees: cNPS surveys and eNPS pulses, and employees' own testimonials.

Candidates' survey pages live under ``/survey/``, employees' pulse pages under ``/pulse/`` and
staff pages under ``/app/voice/``.
"""

from flask import Blueprint

bp = Blueprint("voice", __name__)
