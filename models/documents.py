"""Documents of a case: the 调解协议书 (docxtpl, §29 contents and signature lines) and the case file (卷宗)."""

from __future__ import annotations

import functools
import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docxtpl import DocxTemplate

from models.case_flow import AGREEMENT_FORMS, DECLINE_REASONS, PERFORMED, STATUS_LABELS, Action, Status
from models.core import Town
from models.mediation import (
    Agreement,
    Assignment,
    AuditEntry,
    Case,
    FollowUp,
    JudicialConfirmation,
    Party,
    SessionRecord,
)

TZ = ZoneInfo("Asia/Shanghai")
SIDE_LABELS = {"applicant": "申请人", "respondent": "被申请人"}


def _local(dt: datetime) -> datetime:
    return dt.astimezone(TZ) if dt.tzinfo is not None else dt


def _cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "____年__月__日"


def _base_document() -> Any:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
    if fonts is not None:
        fonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", "SimSun")
    return doc


def _title(doc: Any, text: str, size: int = 18) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(size)


@functools.cache
def agreement_template() -> bytes:
    """The 协议书 template (jinja2 tags for docxtpl), built once with python-docx."""
    doc = _base_document()
    _title(doc, "{{ committee }}")
    _title(doc, "人民调解协议书", 20)
    p = doc.add_paragraph("{{ number }}")
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph("一、当事人基本情况")
    doc.add_paragraph("{%p for p in parties %}")
    doc.add_paragraph(
        "{{ p.side }}：{{ p.name }}　联系电话：{{ p.phone }}　身份证号：{{ p.id_number }}　住址：{{ p.address }}"
    )
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("二、纠纷的主要事实、争议事项")
    doc.add_paragraph("纠纷类型：{{ case_type }}")
    doc.add_paragraph("主要事实：{{ facts }}")
    doc.add_paragraph("争议事项：{{ issues }}")
    doc.add_paragraph("三、各方当事人的责任")
    doc.add_paragraph("{{ responsibility }}")
    doc.add_paragraph("四、经人民调解委员会主持调解，当事人自愿达成如下协议")
    doc.add_paragraph("{{ terms }}")
    doc.add_paragraph("{%p if amount %}")
    doc.add_paragraph("涉及金额：人民币{{ amount }}元。")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("五、履行方式、期限")
    doc.add_paragraph("履行方式：{{ performance }}")
    doc.add_paragraph("履行期限：{{ perform_by }}")
    doc.add_paragraph(
        "本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效。"
        "本协议一式{{ copies }}份，当事人各执一份，人民调解委员会留存一份。"
    )
    doc.add_paragraph(
        "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。"
        "双方当事人认为有必要的，可以自本协议生效之日起三十日内共同向人民法院申请司法确认。"
    )
    doc.add_paragraph("")
    doc.add_paragraph("{%p for p in parties %}")
    doc.add_paragraph("{{ p.side }}（签名、盖章或按指印）：________________　　日期：____年__月__日")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("人民调解员（签名）：________________　　{{ mediators }}")
    doc.add_paragraph("{{ committee }}（印章）")
    doc.add_paragraph("{{ effective_on }}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


async def _committee(case: Case) -> str:
    town = await Town.get(id=case.town_id)  # type: ignore[attr-defined]
    return f"{town.name}人民调解委员会" + (f"（{town.studio_name}）" if town.studio_name else "")


async def _mediator_names(case: Case) -> str:
    rows = await Assignment.filter(case=case).order_by("-lead", "id").prefetch_related("mediator")
    return "、".join(a.mediator.display_name for a in rows)


def _party_rows(parties: list[Party]) -> list[dict[str, str]]:
    return [{"side": SIDE_LABELS.get(p.side, p.side), "name": p.name, "phone": p.phone or "—",
             "id_number": p.id_number or "—", "address": p.address or "—"} for p in parties]


async def agreement_docx(case_id: int) -> bytes:
    """The 调解协议书 of a case with a (written or oral) agreement, as .docx bytes."""
    case = await Case.get(id=case_id)
    agreement = await Agreement.get(case=case)
    parties = await Party.filter(case=case).order_by("id")
    tpl = DocxTemplate(io.BytesIO(agreement_template()))
    tpl.render({
        "committee": await _committee(case), "number": case.number, "parties": _party_rows(parties),
        "case_type": case.case_type, "facts": agreement.facts or case.summary, "issues": agreement.issues or "—",
        "responsibility": agreement.responsibility or "—", "terms": agreement.terms,
        "amount": f"{agreement.amount:,.2f}" if agreement.amount is not None else "",
        "performance": agreement.performance or "—", "perform_by": _cn_date(agreement.perform_by)
        if agreement.perform_by else "—",
        "copies": len(parties) + 1, "mediators": await _mediator_names(case),
        "effective_on": _cn_date(agreement.effective_on),
    }, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def _audit_label(action: str) -> str:
    if action in {"register", "flags"}:
        return {"register": "登记", "flags": "标记"}[action]
    try:
        return Action(action).label
    except ValueError:
        return action


async def dossier_docx(case_id: int) -> bytes:
    """The case file (卷宗, §27): registration, records, agreement or outcome, follow-ups, confirmation, history."""
    case = await Case.get(id=case_id)
    parties = await Party.filter(case=case).order_by("id")
    doc = _base_document()
    _title(doc, await _committee(case))
    _title(doc, "人民调解卷宗", 22)
    p = doc.add_paragraph(case.number)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading("一、调解登记", level=2)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for k, v in [
        ("案件号", case.number), ("纠纷类型", case.case_type),
        ("案件来源", case.source.value + (f"（{case.referred_by}移送）" if case.referred_by else "")),
        ("村", case.village_name), ("登记日期", _cn_date(_local(case.registered_at).date())),
        ("受理日期", _cn_date(case.accepted_on) if case.accepted_on else "—"),
        ("调解员", await _mediator_names(case) or "—"), ("当前状态", STATUS_LABELS[Status(case.status)]),
    ]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = k, v
    for party in _party_rows(parties):
        doc.add_paragraph(f"{party['side']}：{party['name']}　电话：{party['phone']}　身份证号：{party['id_number']}")
    doc.add_paragraph(f"纠纷经过：{case.summary}")
    doc.add_heading("二、调解工作记录", level=2)
    records = await SessionRecord.filter(case=case).order_by("held_on", "id")
    for r in records:
        doc.add_paragraph(f"{_cn_date(r.held_on)}　{r.place}　参加人员：{r.participants or '—'}")
        doc.add_paragraph(r.content)
    if not records:
        doc.add_paragraph("无")
    doc.add_heading("三、调解结果", level=2)
    agreement = await Agreement.get_or_none(case=case)
    if agreement is not None:
        doc.add_paragraph(f"达成{AGREEMENT_FORMS[agreement.form]}，{_cn_date(agreement.effective_on)}生效。")
        doc.add_paragraph(f"协议内容：{agreement.terms}")
        if agreement.amount is not None:
            doc.add_paragraph(f"涉及金额：人民币{agreement.amount:,.2f}元")
        perform_by = _cn_date(agreement.perform_by) if agreement.perform_by else "—"
        doc.add_paragraph(f"履行方式：{agreement.performance or '—'}　履行期限：{perform_by}")
    elif case.decline_reason:
        doc.add_paragraph(f"不予受理：{DECLINE_REASONS[case.decline_reason]}。{case.end_note}")
    elif case.fail_routes:
        routes = case.fail_routes.replace(",", "、")
        doc.add_paragraph(f"调解不成，已告知当事人可通过{routes}途径维护权利。{case.end_note}")
    elif Status(case.status) is Status.TERMINATED:
        doc.add_paragraph(f"终止调解：{case.end_note}")
    else:
        doc.add_paragraph("尚未办结")
    doc.add_heading("四、回访记录", level=2)
    visits = await FollowUp.filter(case=case).order_by("visited_on", "id")
    for visit in visits:
        feeling = "满意" if visit.satisfied else "不满意"
        doc.add_paragraph(f"{_cn_date(visit.visited_on)}：{PERFORMED[visit.performed]}，{feeling}。{visit.note}")
    if not visits:
        doc.add_paragraph("无")
    doc.add_heading("五、司法确认", level=2)
    jc = await JudicialConfirmation.get_or_none(case=case)
    if jc is not None:
        result = {"pending": "审查中", "confirmed": "确认有效", "rejected": "未予确认"}[jc.result]
        doc.add_paragraph(f"{_cn_date(jc.applied_on)}向{jc.court or '人民法院'}申请，结果：{result}")
    else:
        doc.add_paragraph("未申请")
    doc.add_heading("六、办理过程", level=2)
    for e in await AuditEntry.filter(case=case).order_by("at", "id"):
        who = e.actor_label or "系统"
        doc.add_paragraph(f"{_local(e.at):%Y-%m-%d %H:%M}　{who}　{_audit_label(e.action)}　{e.note}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
