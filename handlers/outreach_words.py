"""Reports in a helper's own words ("今天在石桥村讲了民法典，来了四十多人") turned into the guided form's data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from knowledge.wording.errors import ParseError
from knowledge.wording.numbers import check_count
from knowledge.wording.reading import PUBLICITY, Reading, read_report
from models.core import Village

# Fields the card asks for when the report does not say them, in the guided form's order. Materials and
# consultations not mentioned are none; 六进 not mentioned is none; a publicity activity's village defaults
# to the helper's own (said on the card); town-level kinds have no form and need no village.
ASKED = ("date", "village_id", "form", "theme", "participants")


FormWords = Mapping[str, Sequence[str]]


def looks_like_report(text: str, today: dt.date, form_words: FormWords | None = None) -> bool:
    """Whether a message reports work done (no village list needed to decide)."""
    return read_report(text, villages=(), home_village=None, forms=(), today=today, form_words=form_words).is_report


def planned_date_problem(text: str, today: dt.date, form_words: FormWords | None = None) -> str:
    """Why a message that reads like a report of work still to come cannot be logged yet; '' if it is not one."""
    r = read_report(text, villages=(), home_village=None, forms=(), today=today, form_words=form_words)
    return r.date_problem if r.is_plan else ""


async def read_into_form(text: str, *, town_id: int, home: tuple[int, str] | None, forms: Sequence[str],
                         today: dt.date, form_words: FormWords | None = None) -> tuple[dict[str, Any], str]:
    """The form data a report gives (missing fields left out) and why its date was refused ('' if not)."""
    villages = {v.name: v.id for v in await Village.filter(town_id=town_id)}
    reading = read_report(text, villages=list(villages), home_village=home[1] if home else None, forms=forms,
                          today=today, form_words=form_words)
    return form_data(reading, villages, home), reading.date_problem


def form_data(r: Reading, villages: dict[str, int], home: tuple[int, str] | None) -> dict[str, Any]:
    """Form data of a reading: what it read, plus the defaults of fields a report may leave out."""
    data: dict[str, Any] = {"kind": r.kind, "six_target": r.six_target, "materials": 0, "consultations": 0}
    if r.date is not None:
        data["date"] = r.date.isoformat()
    if r.village and (r.village in villages or (home and r.village == home[1])):
        vid = villages.get(r.village) or (home[0] if home else None)
        data.update(village_id=vid, village_name=r.village, village_note=r.village_note)
    elif r.kind != PUBLICITY:
        data.update(village_id=None, village_name="")
    if r.form or r.kind != PUBLICITY:
        data["form"] = r.form
    if r.theme:
        data["theme"] = r.theme[:200]
    for name, count in r.counts.items():
        try:
            data[name] = check_count(count.value, name)
        except ParseError:
            continue  # an impossible figure is asked for again rather than shown
        data[f"approx_{name}"] = count.approx
    return data
