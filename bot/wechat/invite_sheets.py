"""Invite sheets: codes for everyone not yet bound, with a parametric QR code each, one printable docx per village.

A helper scans their QR code with WeChat: a new follower's subscribe (or an existing follower's SCAN)
carries the scene "invite:<code>" and binds them in one step. The code is also printed, for
“绑定 邀请码” in chat. Codes are stored hashed, so a sheet can only be printed when codes are issued;
renewing gives everyone not yet bound a new code (the old ones stop working).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from bot.wechat.api import WeChatApiError
from bot.wechat.qrcodes import MAX_TEMPORARY_SECONDS, invite_qr_url, png
from models.core import Role, User
from services.invites import issue_invites, new_code, unbound_people
from services.privacy import mask_phone

log = logging.getLogger("mingbai.invites")

MAX_DAYS = MAX_TEMPORARY_SECONDS // 86400  # a printed QR code lives at most 30 days
QR_CONCURRENCY = 8  # qrcode/create calls in flight at once
FONT = "仿宋_GB2312"


@dataclass
class Entry:
    """One person on a sheet."""

    name: str
    phone: str
    role: str
    code: str
    qr: bytes | None = None


@dataclass
class Sheets:
    """The outcome of issuing: docx bytes per village, how many codes, what went wrong with QR codes."""

    files: dict[str, bytes] = field(default_factory=dict)
    issued: int = 0
    skipped_live: int = 0  # people who still hold a live code (not renewed)
    qr_problem: str = ""
    expires: dt.date | None = None


async def issue_sheets(api: Any | None, town_id: int, town_name: str, *, days: int, renew: bool = False,
                       village_id: int | None = None, roles: tuple[Role, ...] = (Role.HELPER,),
                       person: User | None = None) -> Sheets:
    """Codes (and QR codes) for the unbound people of the town or one village, as a sheet per village.

    Without `renew`, people who still hold a live code are left alone (their printed code stays valid).
    `person`: only this one (any role), with a new code.
    """
    days = max(1, min(days, MAX_DAYS))
    out = Sheets(expires=(dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).date())
    if person is not None:
        await person.fetch_related("village")
        people = [person]
    else:
        people = await unbound_people(town_id, roles, village_id=village_id, without_live_code=not renew)
    if not renew and person is None:
        out.skipped_live = len(await unbound_people(town_id, roles, village_id=village_id)) - len(people)
    if not people:
        return out
    codes = {u.id: new_code() for u in people}  # saved only once the sheets are made: no code goes unprinted
    entries = {u.id: Entry(u.display_name, mask_phone(u.phone), Role(u.role).label, codes[u.id]) for u in people}
    if api is not None:
        out.qr_problem = await _add_qr_codes(api, list(entries.values()), days)
    else:
        out.qr_problem = "没有配置公众号，只印邀请码"
    by_village: dict[str, list[Entry]] = {}
    for u in people:
        by_village.setdefault(_village_name(u), []).append(entries[u.id])
    for village, rows in by_village.items():
        out.files[village] = await asyncio.to_thread(render_sheet, town_name, village, rows, out.expires)
    out.issued = len(await issue_invites(list(codes), days, codes))
    return out


def _village_name(u: User) -> str:
    village = getattr(u, "village", None)
    return village.name if village is not None else "未分村"


async def _add_qr_codes(api: Any, entries: list[Entry], days: int) -> str:
    """Fill in the QR codes; the first WeChat error stops the rest (the sheets keep the printed codes)."""
    gate = asyncio.Semaphore(QR_CONCURRENCY)
    problems: list[str] = []

    async def one(e: Entry) -> None:
        if problems:
            return
        async with gate:
            if problems:  # WeChat refused one already: the rest would fare no better
                return
            try:
                url = await invite_qr_url(api, e.code, days)
            except WeChatApiError as exc:
                problems.append(exc.description)
                return
        e.qr = await asyncio.to_thread(png, url, 4)

    await asyncio.gather(*(one(e) for e in entries))
    if problems:
        log.warning("邀请二维码未能全部生成：%s", problems[0])
    return problems[0] if problems else ""


def _font(run: Any, size: float) -> None:
    run.font.size = Pt(size)
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def render_sheet(town: str, village: str, rows: list[Entry], expires: dt.date | None) -> bytes:
    """A4 sheet: title, how to use it, and a table of name, phone, code and QR code."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.2), Cm(2.2)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    _font(doc.add_paragraph().add_run(f"{town}{village}“法律明白人”微信绑定邀请码"), 16)
    until = f"{expires.year}年{expires.month}月{expires.day}日" if expires else ""
    _font(doc.add_paragraph().add_run(
        "请本人用微信“扫一扫”自己名字旁的二维码，关注公众号后即完成绑定；也可以在公众号里发送“绑定 邀请码”。"
        f"每个邀请码只能用一次，{until}前有效。请沿线剪开，分发到本人。"), 11)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ("姓名", "电话", "邀请码", "二维码"), strict=True):
        _font(cell.paragraphs[0].add_run(title), 11)
    for e in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells[:3], (e.name, e.phone, e.code), strict=True):
            _font(cell.paragraphs[0].add_run(text), 12)
        if e.qr is not None:
            cells[3].paragraphs[0].add_run().add_picture(io.BytesIO(e.qr), width=Cm(2.8))
        else:
            _font(cells[3].paragraphs[0].add_run("（无二维码，请发送“绑定 邀请码”）"), 9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
