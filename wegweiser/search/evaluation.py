"""Search quality against judged queries: success@k and mean reciprocal rank."""
from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Judgement:
    q: str
    lang: str
    kind: str
    relevant: frozenset[str]


@dataclass
class Outcome:
    judgement: Judgement
    ranked: list[str]  # external ids, best first
    depth: int = 5

    @property
    def rank(self) -> int | None:
        for position, offer_id in enumerate(self.ranked, 1):
            if offer_id in self.judgement.relevant:
                return position
        return None

    @property
    def success(self) -> bool:
        return self.rank is not None and self.rank <= self.depth

    @property
    def reciprocal_rank(self) -> float:
        return 1.0 / self.rank if self.rank else 0.0


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def _groups(self, key) -> dict[str, list[Outcome]]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in self.outcomes:
            groups[key(outcome.judgement)].append(outcome)
        return dict(sorted(groups.items()))

    @staticmethod
    def scores(outcomes: list[Outcome]) -> tuple[float, float, int]:
        n = len(outcomes)
        return (sum(o.success for o in outcomes) / n,
                sum(o.reciprocal_rank for o in outcomes) / n, n)

    @property
    def overall(self) -> tuple[float, float, int]:
        return self.scores(self.outcomes)

    def by_language(self) -> dict[str, tuple[float, float, int]]:
        return {k: self.scores(v) for k, v in self._groups(lambda j: j.lang).items()}

    def by_kind(self) -> dict[str, tuple[float, float, int]]:
        return {k: self.scores(v) for k, v in self._groups(lambda j: j.kind).items()}

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    def report(self) -> str:
        lines = [f"{'':16} {'success@5':>9} {'MRR':>6} {'queries':>7}"]

        def row(name, scores):
            return f"{name:16} {scores[0]:9.1%} {scores[1]:6.3f} {scores[2]:7d}"

        lines.append(row("overall", self.overall))
        lines.append("by language:")
        lines.extend(row("  " + k, v) for k, v in self.by_language().items())
        lines.append("by kind:")
        lines.extend(row("  " + k, v) for k, v in self.by_kind().items())
        return "\n".join(lines)


def load_judgements(path: Path) -> list[Judgement]:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return [Judgement(q["q"], q["lang"], q["kind"], frozenset(q["relevant"]))
            for q in data["query"]]


def evaluate(judgements: list[Judgement], search, depth: int = 5) -> Summary:
    """``search(text, lang)`` returns external ids, best first (at least 20 of them)."""
    return Summary([Outcome(j, search(j.q, j.lang), depth) for j in judgements])
