# SPDX-License-Identifier: AGPL-3.0-or-later
"""Comments on an application, with @mentions that e-mail the colleagues they name."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from app.core import mail
from app.core.errors import Invalid
from app.core.extensions import db
from app.core.urls import public_url
from app.models import Application, Role, User
from app.models.review import ReviewComment, Shortlist, ShortlistEntry, ShortlistShare
from app.reviews.access import share_is_active
from app.reviews.services import pseudonym

MAX_COMMENT_CHARS = 5000
# After a name: no more of a word, and no ".x" that would make it a longer e-mail local part.
_NAME_END = r"(?![\w-]|\.\w)"


def list_comments(application: Application) -> list[ReviewComment]:
    """The application's comments, oldest first."""
    return list(
        db.session.scalars(
            db.select(ReviewComment)
            .where(
                ReviewComment.application_id == application.id,
                ReviewComment.organization_id == application.organization_id,
            )
            .order_by(ReviewComment.created_at, ReviewComment.id)
        )
    )


def mentionable_colleagues(actor: User, application: Application) -> list[User]:
    """Active colleagues who can see the application (so a mention's link opens for them), by name."""
    shared_managers = (
        db.select(ShortlistShare.user_id)
        .join(ShortlistEntry, ShortlistEntry.shortlist_id == ShortlistShare.shortlist_id)
        .join(Shortlist, Shortlist.id == ShortlistShare.shortlist_id)
        .where(
            ShortlistEntry.application_id == application.id,
            Shortlist.organization_id == application.organization_id,
            share_is_active(),
        )
    )
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.organization_id == application.organization_id,
                User.active.is_(True),
                User.id != actor.id,
                (User.role.in_((Role.ADMIN, Role.RECRUITER)))
                | ((User.role == Role.MANAGER) & User.id.in_(shared_managers)),
            )
            .order_by(User.name, User.id)
        )
    )


def mention_handle(user: User) -> str:
    """What to type after ``@`` to mention a colleague: the part of their e-mail before the ``@``."""
    return user.email.split("@", 1)[0]


def mention_pattern(user: User) -> re.Pattern[str]:
    """``@`` followed by the colleague's full name or the local part of their e-mail, in any case."""
    local = re.escape(mention_handle(user))
    name = r"\s+".join(re.escape(part) for part in user.name.split())
    choices = f"{name}|{local}" if name else local
    return re.compile(rf"(?<![\w@.])@(?:{choices}){_NAME_END}", re.IGNORECASE)


def find_mentions(body: str, colleagues: Sequence[User]) -> list[User]:
    """The colleagues the text mentions, each once, in the order given."""
    return [colleague for colleague in colleagues if mention_pattern(colleague).search(body)]


def add_comment(actor: User, application: Application, body: str) -> ReviewComment:
    """Add the actor's comment; each colleague it mentions gets an e-mail after the commit."""
    body = body.strip()
    if not body:
        raise Invalid(str(_l("Write something first.")), field="body")
    if len(body) > MAX_COMMENT_CHARS:
        raise Invalid(
            str(_l("Keep comments under %(count)d characters.", count=MAX_COMMENT_CHARS)), field="body"
        )
    mentioned = find_mentions(body, mentionable_colleagues(actor, application))
    comment = ReviewComment(
        organization_id=application.organization_id,
        application_id=application.id,
        author_id=actor.id,
        author_name=actor.name,
        body=body,
        mentions=[user.id for user in mentioned],
    )
    db.session.add(comment)
    db.session.flush()
    for colleague in mentioned:
        send_mention_mail(actor, colleague, application, comment)
    return comment


def send_mention_mail(
    author: User, colleague: User, application: Application, comment: ReviewComment
) -> None:
    """Tell a colleague they were mentioned, with the comment and a link to the conversation."""
    job = application.job
    organization = job.organization
    # In blind mode the mail must not give the name away before the colleague has reviewed.
    candidate_name = pseudonym(application) if job.blind_review else application.candidate.name
    mail.send_mail(
        to=colleague.email,
        subject=_l("%(name)s mentioned you about %(candidate)s", name=author.name, candidate=candidate_name),
        template="review_mention",
        organization=organization,
        locale=colleague.language or organization.default_language,
        colleague=colleague,
        author=author,
        candidate_name=candidate_name,
        job=job,
        body=comment.body,
        link=public_url("reviews.comments", public_id=application.public_id) + f"#comment-{comment.id}",
    )
