# SPDX-License-Identifier: AGPL-3.0-or-later
"""SQL expressions the dashboards need that the two databases spell differently."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Float


class days_between(FunctionElement):
    """Days, with fractions, from the first timestamp to the second, computed by the database."""

    type = Float()
    name = "days_between"
    inherit_cache = True


def _operands(element: days_between, compiler: Any, **kw: Any) -> tuple[str, str]:
    start, end = list(element.clauses)
    return compiler.process(start, **kw), compiler.process(end, **kw)


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = _operands(element, compiler, **kw)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = _operands(element, compiler, **kw)
    return f"(CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS DOUBLE PRECISION) / 86400.0)"
