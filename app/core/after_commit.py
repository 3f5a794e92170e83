# SPDX-License-Identifier: AGPL-3.0-or-later
"""Work that must wait for the database commit: mail to send, stored files to delete.

``defer_until_commit(kind, item)`` attaches an item to the current transaction (or savepoint).
When the outermost transaction commits, the handler registered for ``kind`` receives the items;
a rollback drops them, and rolling back a savepoint drops only what was deferred inside it.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.core.extensions import db

logger = logging.getLogger(__name__)

PENDING_KEY = "openround.after_commit"
_handlers: dict[str, Callable[[Sequence[Any]], None]] = {}
_running_handlers: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "after_commit_running", default=False
)


def running_handlers() -> bool:
    """True inside an after-commit handler: the transaction is over, so new rows need their own."""
    return _running_handlers.get()


@dataclass(frozen=True)
class _Pending:
    kind: str
    transaction: SessionTransaction | None  # innermost transaction when deferred; None: the next one
    item: Any


def on_commit(kind: str) -> Callable[[Callable[[Sequence[Any]], None]], Callable[[Sequence[Any]], None]]:
    """Register the handler that receives the items of ``kind`` after each commit."""

    def register(handler: Callable[[Sequence[Any]], None]) -> Callable[[Sequence[Any]], None]:
        _handlers[kind] = handler
        return handler

    return register


def defer_until_commit(kind: str, item: Any) -> None:
    """Hand ``item`` to the ``kind`` handler once the current transaction commits."""
    session = db.session()
    owner = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(PENDING_KEY, []).append(_Pending(kind, owner, item))


def init_app(app: Flask) -> None:
    """Hook onto the session's transaction events (once per process)."""
    for name, listener in _SESSION_LISTENERS:
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # only a savepoint was released; the outer transaction may still roll back
    pending: list[_Pending] = session.info.pop(PENDING_KEY, [])
    token = _running_handlers.set(True)
    try:
        for kind in dict.fromkeys(entry.kind for entry in pending):
            items = [entry.item for entry in pending if entry.kind == kind]
            try:
                _handlers[kind](items)
            except Exception:
                # The data is committed: failing now would invite a duplicate retry of the request.
                logger.exception("After-commit work %r failed", kind)
    finally:
        _running_handlers.reset(token)


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(PENDING_KEY)
    if not pending:
        return
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
        return
    session.info[PENDING_KEY] = [
        entry for entry in pending if not _belongs_to(entry.transaction, previous_transaction)
    ]


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Committed work was taken by _after_commit; what is left here was never committed.
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def _belongs_to(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


_SESSION_LISTENERS = (
    ("after_commit", _after_commit),
    ("after_soft_rollback", _after_soft_rollback),
    ("after_transaction_end", _after_transaction_end),
)
