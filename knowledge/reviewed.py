"""Hand-reviewed citations of regulations and judicial interpretations (knowledge/reviewed)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from knowledge.cite import parse_citation

REVIEWED_DIR = Path(__file__).resolve().parent / "reviewed"


class ReviewedError(ValueError):
    """A reviewed-citation file is malformed."""


@dataclass(frozen=True)
class ReviewedCitation:
    """A citation someone checked against the official text."""

    cite: str
    source: str
    checked: str
    note: str
    file: str


def load_reviewed(reviewed_dir: Path | None = None) -> dict[str, ReviewedCitation]:
    """Load every reviewed/*.toml, keyed by citation text; raise ReviewedError on bad rows."""
    folder = reviewed_dir or REVIEWED_DIR
    result: dict[str, ReviewedCitation] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{path.name}: invalid TOML: {exc}")
            continue
        for index, row in enumerate(data.get("citation", [])):
            cite = str(row.get("cite", "")).strip()
            where = f"{path.name} citation #{index + 1} ({cite or 'no cite'})"
            if parse_citation(cite) is None:
                problems.append(f"{where}: cite must look like 《名称》第N条")
                continue
            checked = row.get("checked")
            if isinstance(checked, dt.date):
                checked = checked.isoformat()
            if not row.get("source") or not checked:
                problems.append(f"{where}: source and checked are required")
                continue
            result.setdefault(cite, ReviewedCitation(
                cite, str(row["source"]), str(checked), str(row.get("note", "")), path.name
            ))
    if problems:
        raise ReviewedError("\n".join(problems))
    return result
