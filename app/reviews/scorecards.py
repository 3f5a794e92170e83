# SPDX-License-Identifier: AGPL-3.0-or-later
"""Scorecards: the ordered criteria (with guidance) reviewers score an interview template's answers on."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.core.audit import record_audit
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.interviews.access import require_visible_template
from app.models import Role, User
from app.models.interview import InterviewTemplate
from app.models.review import ScorecardCriterion

EDITING_ROLES = (Role.ADMIN, Role.RECRUITER)
VIEWING_ROLES = (Role.ADMIN, Role.RECRUITER, Role.MANAGER)
MAX_CRITERIA = 12


@dataclass(frozen=True)
class CriterionData:
    """The editable fields of a criterion."""

    name: str
    guidance: str = ""


def _require(actor: User, roles: tuple[Role, ...]) -> None:
    if actor.role not in roles:
        raise PermissionDenied(str(_l("Scorecards are edited by recruiters and admins.")))


def find_template(actor: User, template_id: int) -> InterviewTemplate:
    """A template the actor may see (hiring managers: their jobs' only); PermissionDenied or NotFound."""
    _require(actor, VIEWING_ROLES)
    return require_visible_template(actor, template_id)


def list_criteria(template_id: int) -> list[ScorecardCriterion]:
    """A template's criteria in their order."""
    return list(
        db.session.scalars(
            db.select(ScorecardCriterion)
            .where(ScorecardCriterion.template_id == template_id)
            .order_by(ScorecardCriterion.position, ScorecardCriterion.id)
        )
    )


def _clean(data: CriterionData) -> CriterionData:
    name = " ".join(data.name.split())
    if not name:
        raise Invalid(str(_l("Give the criterion a name.")), field="name")
    return CriterionData(name=name[:120], guidance=data.guidance.strip())


def add_criterion(actor: User, template_id: int, data: CriterionData) -> ScorecardCriterion:
    """Add a criterion at the end of the template's scorecard."""
    _require(actor, EDITING_ROLES)
    template = find_template(actor, template_id)
    data = _clean(data)
    criteria = list_criteria(template.id)
    if len(criteria) >= MAX_CRITERIA:
        raise Invalid(
            str(_l("A scorecard has at most %(count)d criteria.", count=MAX_CRITERIA)), field="name"
        )
    if any(existing.name.casefold() == data.name.casefold() for existing in criteria):
        raise Invalid(str(_l("This scorecard already has a criterion with that name.")), field="name")
    criterion = ScorecardCriterion(
        template_id=template.id, name=data.name, guidance=data.guidance, position=len(criteria)
    )
    db.session.add(criterion)
    db.session.flush()
    record_audit(
        actor.organization_id,
        actor,
        "scorecard.criterion_added",
        "interview_template",
        template.id,
        criterion_id=criterion.id,
    )
    return criterion


def find_criterion(actor: User, template_id: int, criterion_id: int) -> ScorecardCriterion:
    """A criterion of a template of the actor's organization; NotFound otherwise."""
    template = find_template(actor, template_id)
    criterion = db.session.scalar(
        db.select(ScorecardCriterion).where(
            ScorecardCriterion.id == criterion_id, ScorecardCriterion.template_id == template.id
        )
    )
    if criterion is None:
        raise NotFound(str(_l("We could not find this criterion.")))
    return criterion


def update_criterion(
    actor: User, template_id: int, criterion_id: int, data: CriterionData
) -> ScorecardCriterion:
    """Rename a criterion or change its guidance; scores already given keep counting."""
    _require(actor, EDITING_ROLES)
    criterion = find_criterion(actor, template_id, criterion_id)
    data = _clean(data)
    clash = any(
        other.id != criterion.id and other.name.casefold() == data.name.casefold()
        for other in list_criteria(template_id)
    )
    if clash:
        raise Invalid(str(_l("This scorecard already has a criterion with that name.")), field="name")
    criterion.name, criterion.guidance = data.name, data.guidance
    db.session.flush()
    record_audit(
        actor.organization_id,
        actor,
        "scorecard.criterion_updated",
        "interview_template",
        template_id,
        criterion_id=criterion.id,
    )
    return criterion


def remove_criterion(actor: User, template_id: int, criterion_id: int) -> None:
    """Delete a criterion (and the scores given on it); the others close the gap."""
    _require(actor, EDITING_ROLES)
    criterion = find_criterion(actor, template_id, criterion_id)
    db.session.delete(criterion)
    db.session.flush()
    _renumber(list_criteria(template_id))
    record_audit(
        actor.organization_id,
        actor,
        "scorecard.criterion_removed",
        "interview_template",
        template_id,
        criterion_id=criterion_id,
    )


def move_criterion(actor: User, template_id: int, criterion_id: int, offset: int) -> None:
    """Move a criterion up (-1) or down (+1); nothing happens at either end."""
    _require(actor, EDITING_ROLES)
    criterion = find_criterion(actor, template_id, criterion_id)
    criteria = list_criteria(template_id)
    index = criteria.index(criterion)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(criteria):
        criteria[index], criteria[target] = criteria[target], criteria[index]
        _renumber(criteria)
        record_audit(
            actor.organization_id,
            actor,
            "scorecard.criterion_updated",
            "interview_template",
            template_id,
            criterion_id=criterion.id,
        )


def _renumber(criteria: list[ScorecardCriterion]) -> None:
    for position, criterion in enumerate(criteria):
        criterion.position = position
    db.session.flush()
