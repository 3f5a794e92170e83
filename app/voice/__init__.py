"""Voice of candidates and employees: cNPS surveys and eNPS pulses, and employees' own testimonials.

Candidates' survey pages live under ``/survey/``, employees' pulse pages under ``/pulse/`` and
staff pages under ``/app/voice/``.
"""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("voice", __name__)


@bp.record_once
def register_portal_surveys(state: BlueprintSetupState) -> None:
    """Show due surveys among the portal's invitations (the portal's extension point)."""
    from app.portal.services import NOTICE_SOURCES
    from app.voice.services import pending_survey_notices

    if pending_survey_notices not in NOTICE_SOURCES["invitations"]:
        NOTICE_SOURCES["invitations"].append(pending_survey_notices)


from app.voice import pulse_routes, routes, testimonial_routes  # noqa: E402, F401
