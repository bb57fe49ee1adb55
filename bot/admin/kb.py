"""The knowledge base in the console (/admin/kb): search and read entries; admins add, edit and retire
them (citations checked on save), work the inbox of unanswered questions, export and import TOML.
Every change is audited and answers in every process within seconds (bot.kb_live)."""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any

from aiohttp import BodyPartReader, web

from bot import keys
from bot.admin import ADMIN_ROLES, STAFF_ROLES, current_user, flash, render, require_role, town_scope
from knowledge.editing import entry_from_form, group_questions, to_toml
from knowledge.faq import Entry
from knowledge.retrieval import KnowledgeBase
from models.core import Role
from models.kb_store import retire_entry, save_entry
from models.questions import KbChange, QuestionLog

INBOX_DAYS = 90
MAX_IMPORT_BYTES = 4 * 1024 * 1024
INBOX_LIMIT = 500
LIVE_NOTE = "已保存，几秒钟内在所有服务进程中生效。"


async def _live(request: web.Request, note: str) -> None:
    """This process answers with the change at once (the others within POLL_SECONDS); tell the admin."""
    from bot import kb_live

    await kb_live.refresh(request.app)
    await flash(request, note)


def _kb(request: web.Request) -> KnowledgeBase:
    """The entries this process answers with now (the app's Knowledge, kept current by bot.kb_live)."""
    return request.app[keys.KNOWLEDGE].kb


def _entries(request: web.Request) -> list[Entry]:
    return list(_kb(request).entries)


def _is_admin(request: web.Request) -> bool:
    user = current_user(request)
    return user is not None and Role(user.role) in ADMIN_ROLES


def _name(request: web.Request) -> str:
    user = current_user(request)
    assert user is not None
    return str(user.display_name or user.id)


@require_role(*STAFF_ROLES)
async def list_page(request: web.Request) -> web.StreamResponse:
    """Entries matching the search (words of a question, an id or a topic), or all of them."""
    q = request.query.get("q", "").strip()[:200]
    entries = _entries(request)
    if q:
        ids = {e.id for e in entries if q in e.id or q in e.topic}
        ranked = [h.entry for h in _kb(request).search(q, k=20).hits]
        entries = [e for e in entries if e.id in ids] + [e for e in ranked if e.id not in ids]
    return await render(request, "kb/list.html", {"entries": entries, "q": q, "can_edit": _is_admin(request)})


def _find(request: web.Request, entry_id: str) -> Entry:
    kb = _kb(request)
    if entry_id not in kb:
        raise web.HTTPNotFound()
    return kb.entry(entry_id)


@require_role(*STAFF_ROLES)
async def entry_page(request: web.Request) -> web.StreamResponse:
    """One entry; admins get the edit form, everyone its history."""
    entry = _find(request, request.match_info["entry_id"])
    changes = await KbChange.filter(entry_id=entry.id).order_by("-id").limit(20)
    return await render(request, "kb/entry.html", {"entry": entry, "form": _form(entry), "changes": changes,
                                                   "can_edit": _is_admin(request), "problems": []})


def _form(entry: Entry | None, **values: str) -> dict[str, str]:
    if entry is not None:
        values = {"id": entry.id, "topic": entry.topic, "questions": "\n".join(entry.questions),
                  "answer": entry.answer, "basis": "\n".join(entry.basis), **values}
    return {k: values.get(k, "") for k in ("id", "topic", "questions", "answer", "basis")}


async def _posted(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {k: str(form.get(k, ""))[:5000] for k in ("id", "topic", "questions", "answer", "basis")}


@require_role(*ADMIN_ROLES)
async def save(request: web.Request) -> web.StreamResponse:
    """Save an edited entry; refused with the reasons (in Chinese) when a field or citation is wrong."""
    before = _find(request, request.match_info["entry_id"])
    values = await _posted(request)
    values["id"] = before.id  # the id is the entry's name in logs and statistics: it does not change
    entry, problems = _check(values)
    if entry is None:
        changes = await KbChange.filter(entry_id=before.id).order_by("-id").limit(20)
        return await render(request, "kb/entry.html", {"entry": before, "form": values, "changes": changes,
                                                       "can_edit": True, "problems": problems}, status=400)
    if entry != before:
        await save_entry(entry, _name(request), before=before)
        await _live(request, LIVE_NOTE)
    raise web.HTTPFound(f"/admin/kb/entry/{entry.id}")


def _check(values: dict[str, str]) -> tuple[Entry | None, list[str]]:
    return entry_from_form(values["id"], values["topic"], values["questions"], values["answer"], values["basis"])


@require_role(*ADMIN_ROLES)
async def new_page(request: web.Request) -> web.StreamResponse:
    """The form for a new entry (the inbox pre-fills its first phrasing)."""
    form = _form(None, questions=request.query.get("q", "")[:500])
    return await render(request, "kb/new.html", {"form": form, "problems": []})


@require_role(*ADMIN_ROLES)
async def create(request: web.Request) -> web.StreamResponse:
    """Add an entry; an id already in use is refused."""
    values = await _posted(request)
    entry, problems = _check(values)
    if entry is not None and entry.id in _kb(request):
        entry, problems = None, [f"编号 {values['id'].strip()} 已经有了，请换一个。"]
    if entry is None:
        return await render(request, "kb/new.html", {"form": values, "problems": problems}, status=400)
    await save_entry(entry, _name(request), before=None)
    await _live(request, LIVE_NOTE)
    raise web.HTTPFound(f"/admin/kb/entry/{entry.id}")


@require_role(*ADMIN_ROLES)
async def retire(request: web.Request) -> web.StreamResponse:
    """Retire an entry: it stops answering; the audit keeps it."""
    entry = _find(request, request.match_info["entry_id"])
    await retire_entry(entry, _name(request))
    await _live(request, f"已停用“{entry.title}”，几秒钟内在所有服务进程中生效。")
    raise web.HTTPFound("/admin/kb")


@require_role(*STAFF_ROLES)
async def inbox(request: web.Request) -> web.StreamResponse:
    """Unanswered and low-confidence questions of the last INBOX_DAYS days, grouped by shared words."""
    user = current_user(request)
    assert user is not None
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=INBOX_DAYS)
    query = QuestionLog.filter(band__in=("low", "middle"), created_at__gte=since)
    town = town_scope(user)
    if town is not None:
        query = query.filter(town_id=town)
    questions = await query.order_by("-id").limit(INBOX_LIMIT).values_list("question", flat=True)
    kb = _kb(request)
    groups = group_questions([str(q) for q in questions], kb.analyzer)
    rows = [{"count": len(g), "examples": list(dict.fromkeys(g))[:5], "suggest": _suggest(kb, g[0])} for g in groups]
    return await render(request, "kb/inbox.html", {"groups": rows, "days": INBOX_DAYS,
                                                   "can_edit": _is_admin(request)})


def _suggest(kb: KnowledgeBase, question: str) -> list[Entry]:
    return [h.entry for h in kb.search(question, k=3).hits]


@require_role(*ADMIN_ROLES)
async def add_phrasing(request: web.Request) -> web.StreamResponse:
    """Add an inbox question as a phrasing of an entry."""
    form = await request.post()
    question = str(form.get("question", "")).strip()[:200]
    before = _find(request, str(form.get("entry_id", "")))
    if not question:
        raise web.HTTPBadRequest()
    if question not in before.questions:
        entry = Entry(before.id, before.topic, (*before.questions, question), before.answer, before.basis, "console")
        await save_entry(entry, _name(request), before=before, action="phrasing")
    await _live(request, f"已把“{question}”加为“{before.title}”的问法，几秒钟内在所有服务进程中生效。")
    raise web.HTTPFound("/admin/kb/inbox")


@require_role(*STAFF_ROLES)
async def changes_page(request: web.Request) -> web.StreamResponse:
    """The audit: every change, newest first."""
    changes = await KbChange.all().order_by("-id").limit(200)
    return await render(request, "kb/changes.html", {"changes": changes})


@require_role(*STAFF_ROLES)
async def export(request: web.Request) -> web.StreamResponse:
    """The knowledge base as it answers now, as FAQ TOML."""
    return web.Response(text=to_toml(_entries(request)), content_type="application/toml", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="faq-export.toml"'})


@require_role(*ADMIN_ROLES)
async def import_toml(request: web.Request) -> web.StreamResponse:
    """Import FAQ TOML: every entry is checked first; nothing is saved unless all are valid."""
    raw = await _uploaded_file(request)
    try:
        rows = tomllib.loads(raw.decode("utf-8")).get("entry", [])
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        rows = None
    problems: list[str] = []
    entries: list[Entry] = []
    if not isinstance(rows, list) or not rows:
        problems.append("文件不是有效的知识库TOML（需要 [[entry]] 条目）。")
    for row in rows or []:
        if not isinstance(row, dict):
            problems.append("文件中有无法读取的条目。")
            continue
        entry, row_problems = entry_from_form(str(row.get("id", "")), str(row.get("topic", "")),
                                              [str(q) for q in row.get("questions", [])], str(row.get("answer", "")),
                                              [str(c) for c in row.get("basis", [])])
        problems += [f"[{row.get('id', '?')}] {p}" for p in row_problems]
        if entry is not None:
            entries.append(entry)
    if problems:
        await flash(request, "没有导入：" + "；".join(problems[:5]) + ("……" if len(problems) > 5 else ""))
        raise web.HTTPFound("/admin/kb")
    kb = _kb(request)
    changed = 0
    for entry in entries:
        before = kb.entry(entry.id) if entry.id in kb else None
        if before is None or entry_data_differs(before, entry):
            await save_entry(entry, _name(request), before=before, action="import")
            changed += 1
    await _live(request, f"已导入{changed}条（共{len(entries)}条），几秒钟内在所有服务进程中生效。")
    raise web.HTTPFound("/admin/kb")


async def _uploaded_file(request: web.Request) -> bytes:
    """The uploaded file: streamed up to MAX_IMPORT_BYTES when the CSRF token came as a header (the
    page's script), else from the ordinary form (within the app's body limit)."""
    if request.headers.get("X-CSRF-Token") and request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == "file":
                data = bytearray()
                while chunk := await part.read_chunk():
                    data += chunk
                    if len(data) > MAX_IMPORT_BYTES:
                        raise web.HTTPRequestEntityTooLarge(MAX_IMPORT_BYTES, len(data))
                return bytes(data)
        return b""
    form = await request.post()
    upload: Any = form.get("file")
    return upload.file.read(MAX_IMPORT_BYTES) if hasattr(upload, "file") else str(upload or "").encode()


def entry_data_differs(a: Entry, b: Entry) -> bool:
    """Whether two entries say something different (the file they came from aside)."""
    return (a.topic, a.questions, a.answer, a.basis) != (b.topic, b.questions, b.answer, b.basis)


def setup(app: web.Application) -> None:
    """Register the pages and follow the console's changes in this process."""
    from bot import kb_live

    app.router.add_get("/admin/kb", list_page, name="admin_kb")
    app.router.add_get("/admin/kb/new", new_page)
    app.router.add_post("/admin/kb/new", create)
    app.router.add_get("/admin/kb/inbox", inbox)
    app.router.add_post("/admin/kb/inbox/phrasing", add_phrasing)
    app.router.add_get("/admin/kb/changes", changes_page)
    app.router.add_get("/admin/kb/export", export)
    app.router.add_post("/admin/kb/import", import_toml)
    app.router.add_get("/admin/kb/entry/{entry_id}", entry_page)
    app.router.add_post("/admin/kb/entry/{entry_id}", save)
    app.router.add_post("/admin/kb/entry/{entry_id}/retire", retire)
    kb_live.setup(app)
