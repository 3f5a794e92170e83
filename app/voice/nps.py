# SPDX-License-Identifier: AGPL-3.0-or-later
"""Net Promoter Score arithmetic shared by candidate (cNPS) and employee (eNPS) results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Below this many answers a segment shows nothing: a score of one or two people is an anecdote
# and, for anonymous answers, could point at a person.
MIN_ANSWERS = 5


@dataclass(frozen=True)
class NpsSummary:
    """Promoters (9-10), passives (7-8) and detractors (0-6) of a set of answers."""

    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def shown(self) -> bool:
        """Enough answers to show a score."""
        return self.answers >= MIN_ANSWERS

    @property
    def missing(self) -> int:
        """How many more answers are needed before the score is shown."""
        return max(0, MIN_ANSWERS - self.answers)

    @property
    def score(self) -> int | None:
        """The NPS from -100 to 100, or None when there are too few answers to show it."""
        if not self.shown:
            return None
        return round(100 * (self.promoters - self.detractors) / self.answers)


def summarize_scores(scores: Iterable[int]) -> NpsSummary:
    """Count the promoters, passives and detractors among 0-10 scores."""
    values = list(scores)
    return NpsSummary(
        answers=len(values),
        promoters=sum(1 for value in values if value >= 9),
        passives=sum(1 for value in values if 7 <= value <= 8),
        detractors=sum(1 for value in values if value <= 6),
    )


def score_distribution(scores: Iterable[int]) -> list[int]:
    """How many answers gave each score, index 0 to 10."""
    counts = [0] * 11
    for value in scores:
        counts[value] += 1
    return counts
