"""How well reports in helpers' words are read (`mingbai outreach eval`): field accuracy, fully right cards,
and non-reports that would wrongly become cards, for the development and the held-out part."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.lexicon import DATA_DIR
from knowledge.wording.reading import PUBLICITY, read_report

# dev: tuned on. holdout: written before the reader, never tuned on. holdout2: written after tuning, never tuned on.
PARTS = {"dev": DATA_DIR / "reports_dev.toml", "holdout": DATA_DIR / "reports_holdout.toml",
         "holdout2": DATA_DIR / "reports_holdout2.toml"}
FIELDS = ("is_report", "kind", "date", "village", "form", "six_target", "theme", "participants", "materials",
          "consultations", "approx")
TARGET_FULLY_RIGHT = 0.90


def expected_fields(case: dict[str, Any], home: str) -> dict[str, Any]:
    """A case's expected fields with the documented defaults filled in."""
    kind = case.get("kind", PUBLICITY)
    return {
        "is_report": True,
        "kind": kind,
        "date": case.get("date"),
        "village": case.get("village", home if kind == PUBLICITY else ""),
        "form": case.get("form", ""),
        "six_target": case.get("six_target", ""),
        "theme": case.get("theme", ""),
        "participants": case.get("participants"),
        "materials": case.get("materials", 0),
        "consultations": case.get("consultations", 0),
        "approx": sorted(case.get("approx", [])),
    }


@dataclass
class Miss:
    """A report read wrongly, with the fields that differ."""

    text: str
    wrong: dict[str, tuple[Any, Any]]  # field -> (expected, got)


@dataclass
class PartResult:
    """Figures of one part."""

    name: str
    reports: int = 0
    fully_right: int = 0
    field_right: Counter[str] = field(default_factory=Counter)
    non_reports: int = 0
    carded: list[str] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)

    @property
    def fully_right_share(self) -> float:
        """Share of reports whose card is right in every field."""
        return self.fully_right / self.reports if self.reports else 0.0


def evaluate_part(name: str, path: Path | None = None) -> PartResult:
    """Read every case of a part and compare."""
    data = tomllib.loads((path or PARTS[name]).read_text(encoding="utf-8"))
    ctx = data["context"]
    today = dt.date.fromisoformat(ctx["today"])
    kwargs = {"villages": ctx["villages"], "home_village": ctx["home_village"], "forms": ctx["forms"], "today": today}
    result = PartResult(name)
    for case in data["reports"]:
        want = expected_fields(case, ctx["home_village"])
        reading = read_report(case["text"], **kwargs)
        got = {"is_report": reading.is_report, **reading.fields()}
        wrong = {f: (want[f], got[f]) for f in FIELDS if want[f] != got[f]}
        result.reports += 1
        result.field_right.update(f for f in FIELDS if f not in wrong)
        if wrong:
            result.misses.append(Miss(case["text"], wrong))
        else:
            result.fully_right += 1
    for text in data["non_reports"]:
        result.non_reports += 1
        if read_report(text, **kwargs).is_report:
            result.carded.append(text)
    return result


def format_result(r: PartResult, *, misses: bool = False) -> str:
    """The figures of a part as printed by `mingbai outreach eval`."""
    lines = [f"== {r.name}: {r.reports} reports, {r.non_reports} non-reports =="]
    lines.append("field accuracy: " + ", ".join(
        f"{f} {r.field_right[f] / r.reports:.1%}" for f in FIELDS) if r.reports else "field accuracy: -")
    lines.append(f"fully right cards: {r.fully_right}/{r.reports} = {r.fully_right_share:.1%}"
                 f" (target {TARGET_FULLY_RIGHT:.0%})")
    lines.append(f"non-reports carded: {len(r.carded)}/{r.non_reports} (target 0)")
    if misses:
        for m in r.misses:
            diff = "; ".join(f"{f}: want {w!r} got {g!r}" for f, (w, g) in m.wrong.items())
            lines.append(f"  MISS {m.text}\n       {diff}")
        lines.extend(f"  CARDED {t}" for t in r.carded)
    return "\n".join(lines)


def main(parts: list[str], *, misses: bool = False) -> int:
    """Print the figures of the parts; 1 when the held-out part misses its targets."""
    failed = False
    for name in parts:
        r = evaluate_part(name)
        print(format_result(r, misses=misses))
        if name.startswith("holdout") and (r.fully_right_share < TARGET_FULLY_RIGHT or r.carded):
            failed = True
    return 1 if failed else 0
