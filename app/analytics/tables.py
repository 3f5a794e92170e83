# SPDX-License-Identifier: AGPL-3.0-or-later
"""The shape every dashboard figure takes: a table with typed columns, an optional chart, and CSV.

One ``Table`` feeds the HTML table, the chart drawn from it, the JSON the live page polls and the
CSV export, so the four always show the same numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from statistics import median
from typing import Any

from babel.numbers import NumberPattern, parse_pattern
from flask_babel import get_locale

Cell = str | int | float | None

TEXT = "text"
COUNT = "count"
PERCENT = "percent"
DAYS = "days"
SCORE = "score"
# A cell that starts like a formula is shown as text by spreadsheets only behind a quote.
# What a missing or hidden value looks like on screen.
NOT_SHOWN = "\N{EN DASH}"
ONE_DECIMAL = "#,##0.0"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column: its stable key, its translated heading and how its values are shown."""

    key: str
    label: str
    kind: str = COUNT


@dataclass(frozen=True)
class Chart:
    """How to draw a table: the column naming each bar or point, and the columns drawn."""

    kind: str
    label_column: str
    series: tuple[str, ...]
    horizontal: bool = False


@dataclass
class Table:
    """A titled table of figures; rows hold plain values in the order of ``columns``."""

    key: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""

    def display_rows(self) -> list[list[str]]:
        """Every cell as the page shows it, formatted for the current language."""
        return [
            [format_cell(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]

    def column_values(self, key: str) -> list[Cell]:
        """The values of one column, top to bottom."""
        index = [column.key for column in self.columns].index(key)
        return [row[index] for row in self.rows]

    def to_json(self) -> dict[str, Any]:
        """What the live page needs to redraw this table and its chart."""
        return {
            "key": self.key,
            "caption": self.caption,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": self.rows,
            "display": self.display_rows(),
            "chart": None
            if self.chart is None
            else {
                "kind": self.chart.kind,
                "label_column": self.chart.label_column,
                "series": list(self.chart.series),
                "horizontal": self.chart.horizontal,
            },
            "note": self.note,
        }


@dataclass
class Section:
    """A part of the dashboard with its heading and tables."""

    key: str
    title: str
    tables: list[Table]


@lru_cache(maxsize=4)
def number_pattern(pattern: str) -> NumberPattern:
    """A parsed number pattern (parsing it for every cell would cost more than the query)."""
    return parse_pattern(pattern)


def format_cell(value: Cell, kind: str) -> str:
    """One value as shown on screen, in the current language; a missing or hidden value is a dash."""
    if value is None:
        return NOT_SHOWN
    if kind == TEXT:
        return str(value)
    locale = get_locale()
    if kind == PERCENT:
        return f"{number_pattern(ONE_DECIMAL).apply(value, locale)} %"
    if kind == DAYS:
        return number_pattern(ONE_DECIMAL).apply(value, locale)
    return locale.decimal_formats[None].apply(value, locale)


def round1(value: float) -> float:
    """Rounded to one decimal, halves away from zero (as people round, not as floats do)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` with one decimal; None when there is no whole."""
    if not whole:
        return None
    return round1(100 * part / whole)


def mean_days(values: Sequence[float]) -> float | None:
    """The mean of durations in days, one decimal; None for none."""
    return round1(sum(values) / len(values)) if values else None


def median_days(values: Iterable[float]) -> float | None:
    """The median of durations in days, one decimal; None for none."""
    values = list(values)
    return round1(median(values)) if values else None


def csv_text(value: Cell, kind: str) -> str:
    """One value for a CSV file: numbers as digits, text guarded against spreadsheet formulas."""
    if value is None:
        return ""
    if kind == TEXT:
        text = str(value)
        return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
    return str(value)


def table_csv(table: Table) -> str:
    """The table as CSV: a heading row, then one line per row, the same values as on screen."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow(
            [csv_text(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
        )
    return buffer.getvalue()
