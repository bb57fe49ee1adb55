"""Check every FAQ basis line against the statute database and the reviewed list."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge.faq import Entry, load_entries
from knowledge.statutes import Statutes, get_statutes


@dataclass(frozen=True)
class BasisFailure:
    """A basis line that could not be verified."""

    file: str
    entry_id: str
    cite: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file} [{self.entry_id}] {self.cite}: {self.reason}"


def check_basis(entries: Iterable[Entry], statutes: Statutes | None = None) -> list[BasisFailure]:
    """Verify every basis line of every entry; return the failures (empty when all pass)."""
    checker = statutes or get_statutes()
    failures = []
    for entry in entries:
        for cite in entry.basis:
            check = checker.verify(cite)
            if not check.ok:
                failures.append(BasisFailure(entry.source, entry.id, cite, f"{check.code}: {check.reason}"))
    return failures


def main(argv: list[str] | None = None) -> int:
    """Print unverifiable citations of the FAQ (`mingbai kb check`); exit 1 if there are any."""
    parser = argparse.ArgumentParser(prog="mingbai kb check", description=__doc__)
    parser.add_argument("--faq-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    entries = load_entries(args.faq_dir)
    failures = check_basis(entries)
    for failure in failures:
        print(failure)
    cites = sum(len(e.basis) for e in entries)
    print(f"{len(entries)} entries, {cites} citations, {len(failures)} not verified")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
