"""The papers of a mediation case file (司法部 人民调解文书格式): docxtpl templates filled from the case's records.

The templates (models/templates/mediation/*.docx, written by scripts/make_case_templates.py) carry the
公文 layout; this module only gathers the facts. Every paper of the 卷宗 is kept: a reopened case prints
its earlier agreement and the court's refusal too.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

from models.case_flow import DECLINE_REASONS, PERFORMED, TERMINATE_REASONS, Action, Status
from models.cases import outcome_lines
from models.core import Town, User
from models.mediation import (
    Agreement,
    Assignment,
    AuditEntry,
    Case,
    FollowUp,
    Investigation,
    JudicialConfirmation,
    Party,
    SessionRecord,
)
from models.parsing import TZ
from models.party_rules import SIDES

TEMPLATES = Path(__file__).resolve().parent / "templates" / "mediation"
TITLES: dict[str, str] = {
    "cover": "卷宗封面", "contents": "卷内目录", "application": "人民调解申请书", "registration": "受理登记表",
    "decline": "不予受理通知书", "rights": "当事人权利义务告知书", "investigation": "调查记录", "session": "调解笔录",
    "agreement": "人民调解协议书", "oral": "口头调解协议登记表", "confirmation_guide": "司法确认申请引导",
    "follow_up": "回访记录", "closing": "结案报告", "dossier": "卷宗",
}
# The order of the papers in the 卷宗 (the cover and the table of contents first).
FILE_ORDER = ("cover", "contents", "application", "registration", "decline", "rights", "investigation", "session",
              "agreement", "oral", "confirmation_guide", "follow_up", "closing")
AUDIT_LABELS = {"register": "登记", "flags": "标记", "party_add": "增加当事人", "party_edit": "修改当事人",
                "party_remove": "删除当事人"}
CLOSED = {Status.DECLINED, Status.AGREED, Status.FAILED, Status.TERMINATED, Status.FOLLOWED_UP,
          Status.CONFIRMATION_APPLIED, Status.CONFIRMED, Status.CONFIRMATION_REJECTED, Status.ARCHIVED}


def audit_label(action: str) -> str:
    """The Chinese name of an audit entry's action."""
    if action in AUDIT_LABELS:
        return AUDIT_LABELS[action]
    try:
        return Action(action).label
    except ValueError:
        return action


def cn_date(d: date | datetime | None, blank: str = "＿＿＿＿年＿＿月＿＿日") -> str:
    """2026年3月2日."""
    if d is None:
        return blank
    if isinstance(d, datetime):
        d = d.astimezone(TZ).date() if d.tzinfo else d.date()
    return f"{d.year}年{d.month}月{d.day}日"


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()] or ["—"]


def party_line(p: Party) -> str:
    """申请人：李大海，男，汉族，1970年3月1日出生，农民，住…，身份证号…，电话…"""
    side = SIDES.get(p.side, p.side)
    if p.kind == "org":
        bits = [f"{side}：{p.name}", f"住所：{p.address or '＿＿＿＿'}",
                f"统一社会信用代码：{p.credit_code or '＿＿＿＿'}",
                f"法定代表人：{p.legal_rep or '＿＿＿＿'}" + (f"（{p.legal_rep_title}）" if p.legal_rep_title else "")]
    else:
        bits = [f"{side}：{p.name}", p.gender or "性别＿＿", p.ethnicity or "＿＿族",
                f"{cn_date(p.birth_date)}出生", p.occupation or "职业＿＿", f"住{p.address or '＿＿＿＿'}",
                f"身份证号：{p.id_number or '＿＿＿＿'}"]
    bits.append(f"电话：{p.phone or '＿＿＿＿'}")
    return "，".join(bits) + "。"


def agent_line(p: Party) -> str:
    """委托代理人：…，与当事人关系/代理权限：…"""
    if not p.agent_name:
        return ""
    return (f"委托代理人：{p.agent_name}，{p.agent_relation or '代理权限＿＿'}"
            + (f"，电话：{p.agent_phone}" if p.agent_phone else "") + "。")


@dataclass
class CaseFacts:
    """Everything the papers of one case print, read once."""

    case: Case
    town: Town
    parties: list[Party]
    assignments: list[Assignment]
    sessions: list[SessionRecord]
    investigations: list[Investigation]
    agreements: list[Agreement]
    confirmations: list[JudicialConfirmation]
    follow_ups: list[FollowUp]
    audit: list[AuditEntry]
    registrar: str

    @property
    def current(self) -> Agreement | None:
        """The agreement in force."""
        live = [a for a in self.agreements if a.superseded_at is None]
        return live[-1] if live else None


async def load(case_id: int) -> CaseFacts:
    """Read a case and all its records."""
    case = await Case.get(id=case_id)
    registrar = ""
    if case.registered_by_id is not None:  # type: ignore[attr-defined]
        user = await User.get_or_none(id=case.registered_by_id)  # type: ignore[attr-defined]
        registrar = user.display_name if user else ""
    return CaseFacts(
        case=case, town=await Town.get(id=case.town_id),  # type: ignore[attr-defined]
        parties=list(await Party.filter(case=case).order_by("id")),
        assignments=list(await Assignment.filter(case=case).order_by("-lead", "id").prefetch_related("mediator")),
        sessions=list(await SessionRecord.filter(case=case).order_by("held_on", "id")),
        investigations=list(await Investigation.filter(case=case).order_by("held_on", "id")),
        agreements=list(await Agreement.filter(case=case).order_by("id").prefetch_related("recorded_by")),
        confirmations=list(await JudicialConfirmation.filter(case=case).order_by("id")),
        follow_ups=list(await FollowUp.filter(case=case).order_by("visited_on", "id").prefetch_related("visited_by")),
        audit=list(await AuditEntry.filter(case=case).order_by("at", "id")), registrar=registrar or "＿＿＿＿",
    )


def available(case: Case, status: Status, facts: CaseFacts | None = None) -> list[str]:
    """The papers a case has now, in 卷宗 order (the console's buttons; the export's files)."""
    out = ["cover", "contents", "application", "registration"]
    if status is Status.DECLINED or case.decline_reason:
        out.append("decline")
    if case.accepted_on is not None:
        out += ["rights", "investigation", "session"]
    if facts is None or any(a.form == "written" for a in facts.agreements):
        if status in CLOSED and case.accepted_on is not None:
            out.append("agreement")
    if facts is None or any(a.form == "oral" for a in facts.agreements):
        if status in CLOSED and case.accepted_on is not None:
            out.append("oral")
    if case.confirmation_deadline is not None or (facts is not None and facts.confirmations):
        out.append("confirmation_guide")
    if status in CLOSED and case.accepted_on is not None:
        out += ["follow_up", "closing"]
    elif status in CLOSED:
        out.append("closing")
    return out


def _common(f: CaseFacts) -> dict[str, Any]:
    c = f.case
    active = [a for a in f.assignments if a.ended_at is None]
    detail = []
    for a in f.assignments:
        tag = "（主办）" if a.lead and a.ended_at is None else ""
        tag += "（当事人选定）" if a.chosen_by_parties else ""
        if a.ended_at is not None:
            tag += f"（{'回避' if a.end_kind == 'recused' else '更换'}：{a.end_reason}）"
        detail.append(a.mediator.display_name + tag)
    committee = f"{f.town.name}人民调解委员会"
    return {
        "committee": committee, "number": c.number or "（未受理，无调解案号）", "reg_number": c.reg_number or "",
        "case_type": c.case_type, "village": c.village_name or "—",
        "source": c.source.value + (f"（{c.referred_by}移送）" if c.referred_by else ""),
        "registered_on": cn_date(c.registered_at), "accepted_on": cn_date(c.accepted_on, "—"),
        "closed_on": cn_date(c.closed_on, "—"), "archived_on": cn_date(c.archived_at, "—"),
        "parties": [{"line": party_line(p), "line_short": party_line(p).split("：", 1)[1], "agent": agent_line(p),
                     "side_label": SIDES.get(p.side, p.side), "name": p.name} for p in f.parties],
        "party_names": "、".join(p.name for p in f.parties),
        "applicants": "、".join(p.name for p in f.parties if p.side == "applicant"),
        "respondents": "、".join(p.name for p in f.parties if p.side == "respondent") or "对方当事人",
        "mediators": "、".join(a.mediator.display_name for a in active) or "＿＿＿＿",
        "mediators_detail": "、".join(detail) or "—", "summary": _lines(c.summary), "summary_text": c.summary,
        "registrar": f.registrar,
    }


def _agreement_ctx(f: CaseFacts, a: Agreement) -> dict[str, Any]:
    recorder = a.recorded_by.display_name if getattr(a, "recorded_by", None) else ""  # type: ignore[union-attr]
    note = ""
    if a.superseded_at is not None:
        note = (f"（本协议已于{cn_date(a.superseded_at)}由重新调解取代"
                + ("，人民法院未予确认" if a.form == "written" and f.confirmations else "") + "，留卷备查。）")
    return {
        "facts": _lines(a.facts or f.case.summary), "facts_text": a.facts or f.case.summary,
        "issues": a.issues or "—", "responsibility": _lines(a.responsibility or "—"),
        "terms": _lines(a.terms), "terms_text": a.terms,
        "amount": f"{a.amount:,.2f}" if a.amount is not None else "",
        "performance": a.performance or "—", "perform_by": cn_date(a.perform_by, "—"),
        "effective_on": cn_date(a.effective_on), "copies": len(f.parties) + 1, "superseded_note": note,
        "recorder": recorder or "＿＿＿＿",
    }


def _outcome(f: CaseFacts) -> str:
    c, status = f.case, Status(f.case.status)
    if c.decline_reason:
        return "不予受理：" + DECLINE_REASONS[c.decline_reason]
    a = f.current
    if a is not None:
        form = "书面调解协议" if a.form == "written" else "口头调解协议"
        text = f"达成{form}（{cn_date(a.effective_on)}生效）"
        jc = f.confirmations[-1] if f.confirmations else None
        if a.form == "written" and jc is not None and jc.agreement_id == a.id:  # type: ignore[attr-defined]
            text += {"pending": "，司法确认审查中", "confirmed": "，经人民法院司法确认",
                     "rejected": "，人民法院未予确认"}[jc.result]
        return text
    if c.fail_routes:
        return "调解不成，已告知当事人可通过" + c.fail_routes.replace(",", "、") + "途径解决"
    if c.end_reason or status is Status.TERMINATED:
        return "终止调解：" + TERMINATE_REASONS.get(c.end_reason, c.end_note or "当事人要求终止")
    return "尚未办结"


def _history(f: CaseFacts) -> list[str]:
    return [f"{cn_date(e.at)}，{e.actor_label or '系统'}：{audit_label(e.action)}" + (f"（{e.note}）" if e.note else "")
            for e in f.audit]


def context(kind: str, f: CaseFacts) -> dict[str, Any]:
    """The values one template needs."""
    ctx = _common(f)
    c = f.case
    if kind == "cover":
        ctx.update(outcome=_outcome(f), keep_years="长期" if f.agreements else "十年",
                   filer=ctx["mediators"])
    elif kind == "contents":
        rows = []
        for i, k in enumerate((k for k in available(c, Status(c.status), f) if k not in {"cover", "contents"}), 1):
            rows.append({"n": i, "title": TITLES[k], "date": _paper_date(k, f), "pages": "", "note": _paper_note(k, f)})
        ctx["contents"] = rows
    elif kind == "application":
        ctx["application_note"] = ("（经微信提交申请，申请人未签名的，于受理时补签。）" if c.applicant_openid
                                   else "（当事人口头申请，由人民调解员记录。）" if c.source.value == "申请调解"
                                   else f"（{c.source.value}，由人民调解委员会登记。）")
    elif kind == "registration":
        ctx["decision"] = ("不予受理：" + DECLINE_REASONS[c.decline_reason] if c.decline_reason
                           else f"予以受理（{cn_date(c.accepted_on)}）" if c.accepted_on else "待审查")
    elif kind == "decline":
        ctx.update(decline_reason=DECLINE_REASONS.get(c.decline_reason, "不符合受理条件"),
                   decline_note=f"（{c.end_note}）" if c.end_note else "")
    elif kind == "investigation":
        ctx["investigations"] = [{"date": cn_date(r.held_on), "place": r.place or "—", "interviewee": r.interviewee
                                  or "—", "investigators": r.investigators or ctx["mediators"],
                                  "recorder": r.recorder or "＿＿＿＿", "lines": _lines(r.content)}
                                 for r in f.investigations] or [_blank_record(ctx)]
    elif kind == "session":
        ctx["sessions"] = [{"date": cn_date(r.held_on), "place": r.place or "—", "participants": r.participants
                            or ctx["party_names"], "recorder": r.recorder or "＿＿＿＿", "lines": _lines(r.content)}
                           for r in f.sessions] or [_blank_record(ctx)]
    elif kind in {"agreement", "oral"}:
        form = "written" if kind == "agreement" else "oral"
        chosen = [a for a in f.agreements if a.form == form]
        ctx.update(_agreement_ctx(f, chosen[-1]))
    elif kind == "confirmation_guide":
        a = next((a for a in reversed(f.agreements) if a.form == "written"), None)
        ctx.update(effective_on=cn_date(a.effective_on if a else None),
                   deadline=cn_date(c.confirmation_deadline or (a.effective_on if a else None)))
    elif kind == "follow_up":
        ctx["follow_ups"] = [{"date": cn_date(v.visited_on), "performed": PERFORMED.get(v.performed, v.performed),
                              "satisfied": "满意" if v.satisfied else "不满意", "note": v.note or "—",
                              "by": v.visited_by.display_name if v.visited_by else "—"}  # type: ignore[union-attr]
                             for v in f.follow_ups] or [{"date": "", "performed": "", "satisfied": "", "note": "",
                                                         "by": ""}]
    elif kind == "closing":
        visits = "；".join(f"{cn_date(v.visited_on)}回访，{PERFORMED.get(v.performed, '')}，"
                           f"{'满意' if v.satisfied else '不满意'}" for v in f.follow_ups)
        marked = outcome_lines(c)
        ctx.update(history=_history(f), agreements_text=_agreements_text(f),
                   outcome_text=_outcome(f) + "。" + (f"统计事项：{'；'.join(marked)}。" if marked else ""),
                   follow_up_text=visits or "尚未回访。")
    return ctx


def _blank_record(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"date": "＿＿＿＿年＿＿月＿＿日", "place": "", "interviewee": "", "investigators": ctx["mediators"],
            "participants": "", "recorder": "＿＿＿＿", "lines": ["＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿"]}


def _agreements_text(f: CaseFacts) -> list[str]:
    out = []
    for a in f.agreements:
        kind = "书面调解协议" if a.form == "written" else "口头调解协议"
        line = f"{cn_date(a.effective_on)}达成{kind}：{a.terms}"
        for jc in f.confirmations:
            if jc.agreement_id == a.id:  # type: ignore[attr-defined]
                result = {"pending": "审查中", "confirmed": "确认有效", "rejected": "不予确认"}[jc.result]
                line += f"；{cn_date(jc.applied_on)}向{jc.court or '人民法院'}申请司法确认，{result}"
                line += f"（{cn_date(jc.decided_on)}，{jc.note}）" if jc.decided_on else ""
        if a.superseded_at is not None:
            line += f"；已于{cn_date(a.superseded_at)}由重新调解取代，留卷备查"
        out.append(line + "。")
    return out


def _paper_date(kind: str, f: CaseFacts) -> str:
    c = f.case
    when: date | datetime | None = {
        "application": c.registered_at, "registration": c.registered_at, "decline": c.closed_on,
        "rights": c.accepted_on, "investigation": f.investigations[0].held_on if f.investigations else None,
        "session": f.sessions[0].held_on if f.sessions else None,
        "agreement": next((a.effective_on for a in f.agreements if a.form == "written"), None),
        "oral": next((a.effective_on for a in f.agreements if a.form == "oral"), None),
        "confirmation_guide": next((a.effective_on for a in f.agreements if a.form == "written"), None),
        "follow_up": f.follow_ups[0].visited_on if f.follow_ups else None, "closing": c.closed_on,
    }.get(kind)
    return cn_date(when, "")


def _paper_note(kind: str, f: CaseFacts) -> str:
    if kind == "investigation":
        return f"{len(f.investigations)}份"
    if kind == "session":
        return f"{len(f.sessions)}份"
    if kind in {"agreement", "oral"}:
        n = sum(1 for a in f.agreements if a.form == ("written" if kind == "agreement" else "oral"))
        return f"{n}份" + ("（含已被取代的协议）" if any(a.superseded_at for a in f.agreements) else "")
    return ""


def _render(kind: str, ctx: dict[str, Any]) -> bytes:
    tpl = DocxTemplate(str(TEMPLATES / f"{kind}.docx"))
    tpl.render(ctx, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def render_facts(kind: str, f: CaseFacts) -> list[tuple[str, bytes]]:
    """One paper as (file title, .docx bytes); every agreement of its form when the case was reopened."""
    if kind in {"agreement", "oral"}:
        form = "written" if kind == "agreement" else "oral"
        out = []
        for i, a in enumerate(x for x in f.agreements if x.form == form):
            ctx = {**_common(f), **_agreement_ctx(f, a)}
            out.append((TITLES[kind] + (f"（{i + 1}）" if i else ""), _render(kind, ctx)))
        return out
    return [(TITLES[kind], _render(kind, context(kind, f)))]


async def render(kind: str, case_id: int) -> bytes:
    """One paper of a case as .docx bytes (the latest, for agreements); the whole 卷宗 as a .zip for 'dossier'."""
    f = await load(case_id)
    if kind == "dossier":
        return dossier_zip(f)
    if kind not in TITLES:
        raise KeyError(kind)
    return render_facts(kind, f)[-1][1]


def dossier_files(f: CaseFacts) -> list[tuple[str, bytes]]:
    """The 卷宗's files in filing order, named '01-卷宗封面.docx'."""
    out: list[tuple[str, bytes]] = []
    for kind in available(f.case, Status(f.case.status), f):
        for title, data in render_facts(kind, f):
            out.append((f"{len(out) + 1:02d}-{title}.docx", data))
    return out


def dossier_zip(f: CaseFacts) -> bytes:
    """The 卷宗 as one .zip of .docx files in filing order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in dossier_files(f):
            z.writestr(name, data)
    return buf.getvalue()


def folder_name(case: Case) -> str:
    """A case's folder in an export: its number with the brackets kept, safe on every file system."""
    raw = case.number or case.reg_number or f"case-{case.id}"
    return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in raw)


async def export_year(town_id: int, year: int, out_dir: str, *, status: str | None = None,
                      progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Write one folder per case of a town's year (the year of its 调字号; of registration before 受理),
    with its papers in filing order."""
    qs = Case.filter(town_id=town_id, year=year)
    if status:
        qs = qs.filter(status=status)
    ids: list[int] = list(await qs.order_by("reg_seq", "id").values_list("id", flat=True))  # type: ignore[arg-type]
    root = Path(out_dir)
    files = 0
    for done, case_id in enumerate(ids, 1):
        f = await load(case_id)
        papers = dossier_files(f)
        await asyncio.to_thread(_write_folder, root / folder_name(f.case), papers)
        files += len(papers)
        if progress is not None:
            progress(done, len(ids))
    if progress is not None and not ids:
        progress(0, 0)
    return len(ids), files


def _write_folder(folder: Path, papers: list[tuple[str, bytes]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in papers:
        (folder / name).write_bytes(data)


async def agreement_docx(case_id: int) -> bytes:
    """The agreement in force: 人民调解协议书 (written) or 口头调解协议登记表 (oral)."""
    f = await load(case_id)
    a = f.current
    if a is None:
        raise LookupError("no agreement")
    return render_facts("agreement" if a.form == "written" else "oral", f)[-1][1]


async def dossier_docx(case_id: int) -> bytes:
    """The 卷宗 of a case (a .zip of its papers in filing order)."""
    return dossier_zip(await load(case_id))
