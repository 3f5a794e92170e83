# SPDX-License-Identifier: AGPL-3.0-or-later
"""Models subclass ``app.core.extensions.Model``: Flask-SQLAlchemy's ``db.Model`` at run time."""

from __future__ import annotations

import pytest

from app import models
from app.core.extensions import Base, Model, db

pytestmark = pytest.mark.single_database


def test_model_is_the_flask_sqlalchemy_base_at_run_time():
    assert Model is db.Model
    assert Model.metadata is Base.metadata  # one metadata, with the constraint naming convention


def test_every_mapped_class_is_a_flask_sqlalchemy_model():
    mapped = [mapper.class_ for mapper in db.Model.registry.mappers]
    assert len(mapped) >= 50
    assert all(issubclass(cls, db.Model) for cls in mapped)
    assert {cls.__name__ for cls in mapped} >= {"Organization", "User", "Job", "Application"}
    assert models.User.__table__.metadata is Base.metadata
