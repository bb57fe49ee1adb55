"""The papers of a case file: every party's details, written vs oral agreements, the 公文 layout, the year's export."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from models import cases, documents
from models.case_flow import Status
from models.mediation import Case
from models.party_rules import PartyIn
from tests.docx_fonts import check_chinese_fonts
from tests.mediation.conftest import World

D0 = date(2026, 3, 2)


def _valid_credit_code() -> str:
    from models.party_rules import _USCC_CHARS, _USCC_WEIGHTS

    body = "91360123MA35G8K7X"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def text_of(data: bytes) -> str:
    """Paragraphs and table cells of a .docx."""
    d = Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        parts += [c.text for r in t.rows for c in r.cells]
    return "\n".join(parts)


async def family_case(w: World) -> Case:
    """An organisation applies against three siblings, one with an agent."""
    code = _valid_credit_code()
    return await cases.register_case(cases.NewCase(
        town_id=w.town.id, case_type="婚姻家庭", summary="三名子女对母亲的赡养费分担意见不一。",
        village_id=w.village.id,
        parties=[
            PartyIn("江湾村股份经济合作社", "applicant", "0791-88887777", kind="org", address="江湾村委会",
                    credit_code=code, legal_rep="王建国", legal_rep_title="理事长"),
            PartyIn("李大海", "respondent", "13900001111", "110101199003071233", "江湾村3组12号", ethnicity="汉族",
                    occupation="农民"),
            PartyIn("李小海", "respondent", "13900002222", address="江湾村3组14号", agent_name="李明",
                    agent_relation="儿子，一般授权"),
            PartyIn("李海燕", "respondent", address="县城幸福小区5栋", gender="女"),
        ], registered_by_id=w.admin.id, actor_label="司法所王"), due_days=30, on=D0)


async def _agreed(w: World, form: str) -> Case:
    actor = cases.Actor(w.mediator)
    case = await family_case(w)
    await cases.accept(case.id, actor, [w.mediator.id], due_days=30, on=D0)
    await cases.record_session(case.id, actor, D0 + timedelta(days=2), "各方同意按月分担赡养费。", "调解室",
                               recorder="周记录")
    return await cases.agree(case.id, actor, cases.AgreementIn(
        terms="三名子女每月各支付赡养费500元。", effective_on=D0 + timedelta(days=2), form=form,
        amount=Decimal("18000"), facts="母亲年迈"), followup_days=30)


async def test_written_agreement_prints_every_party(world: World) -> None:
    case = await _agreed(world, "written")
    text = text_of(await documents.render("agreement", case.id))
    for needle in ("人民调解协议书", "〔2026〕江湾调字第1号", "江湾村股份经济合作社", _valid_credit_code(),
                   "法定代表人：王建国（理事长）", "李大海，男，汉族，1990年3月7日出生，农民，住江湾村3组12号",
                   "110101199003071233", "李小海", "委托代理人：李明，儿子，一般授权", "李海燕，女", "一式5份",
                   "三十日内共同向人民法院申请司法确认", "18,000.00"):
        assert needle in text, needle
    assert text.count("（签名、盖章或按指印）") == 4
    session = text_of(await documents.render("session", case.id))
    assert "记录人（签名）：周记录" in session and "人民调解员（签名）：洪调解" in session
    assert session.count("（签名或按指印）") == 4


async def test_oral_agreement_has_no_confirmation_wording(world: World) -> None:
    case = await _agreed(world, "oral")
    f = await documents.load(case.id)
    files = documents.dossier_files(f)
    names = [n for n, _ in files]
    assert any("口头调解协议登记表" in n for n in names)
    assert not any("人民调解协议书" in n or "司法确认" in n for n in names)
    for name, data in files:
        assert "司法确认" not in text_of(data), name
    oral = text_of(await documents.agreement_docx(case.id))
    assert "口头调解协议登记表" in oral and "三名子女每月各支付赡养费500元。" in oral and "第三十条" in oral


async def test_reopened_file_keeps_first_agreement_and_refusal(world: World) -> None:
    actor = cases.Actor(world.mediator)
    case = await _agreed(world, "written")
    await cases.apply_confirmation(case.id, actor, D0 + timedelta(days=5), "某县人民法院")
    await cases.decide_confirmation(case.id, actor, False, D0 + timedelta(days=9), "协议内容不明确")
    await cases.reopen(case.id, actor, due_days=30, on=D0 + timedelta(days=10))
    await cases.agree(case.id, actor, cases.AgreementIn(terms="长子每月支付800元，其余二人各300元。",
                                                        effective_on=D0 + timedelta(days=12)), followup_days=30)
    f = await documents.load(case.id)
    names = [n for n, _ in documents.dossier_files(f)]
    assert sum("人民调解协议书" in n for n in names) == 2
    closing = text_of(await documents.render("closing", case.id))
    assert "三名子女每月各支付赡养费500元。" in closing and "不予确认" in closing and "协议内容不明确" in closing
    assert "长子每月支付800元" in closing
    first = text_of(documents.render_facts("agreement", f)[0][1])
    assert "由重新调解取代" in first and "人民法院未予确认" in first


async def test_layout_is_a4_gongwen_with_chinese_fonts(world: World) -> None:
    case = await _agreed(world, "written")
    data = await documents.render("agreement", case.id)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        doc, styles, footer, fonts = (z.read(n).decode() for n in (
            "word/document.xml", "word/styles.xml", "word/footer1.xml", "word/fontTable.xml"))
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in doc  # A4
    margins = re.search(r'<w:pgMar w:top="(\d+)" w:right="(\d+)" w:bottom="(\d+)" w:left="(\d+)"', doc)
    assert margins is not None
    top, right, bottom, left = (round(int(v) / 56.693) for v in margins.groups())
    assert (top, bottom, left, right) == (37, 35, 28, 26)
    for font in ("仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"):
        assert f'w:eastAsia="{font}"' in styles, font
    assert '<w:sz w:val="32"/>' in styles  # 三号 = 16 pt
    assert "Calibri" not in styles and "Heading 1" not in styles and "theme" not in styles.lower()
    assert "PAGE" in footer and "Noto Serif CJK SC" in fonts


async def test_every_paper_says_simplified_chinese(world: World) -> None:
    case = await _agreed(world, "written")
    kinds = documents.available(case, Status(case.status), await documents.load(case.id))
    assert {"cover", "agreement", "session"} <= set(kinds)
    for kind in kinds:
        named = check_chinese_fonts(await documents.render(kind, case.id))
        assert "仿宋_GB2312" in named, kind


async def test_papers_follow_the_case(world: World) -> None:
    actor = cases.Actor(world.admin)
    case = await family_case(world)
    assert documents.available(case, Status.REGISTERED) == ["cover", "contents", "application", "registration"]
    refused = await cases.decline(case.id, actor, "not_mediable", "属于行政处理事项")
    kinds = documents.available(refused, Status(refused.status), await documents.load(case.id))
    assert "decline" in kinds and "agreement" not in kinds and "rights" not in kinds
    notice = text_of(await documents.render("decline", case.id))
    assert "不予受理" in notice and "第二十二条" in notice and "12348公共法律服务热线" in notice
    cover = text_of(await documents.render("cover", case.id))
    assert "未受理" in cover and "〔2026〕江湾登字第1号" in cover


async def test_export_writes_a_folder_per_case(world: World, tmp_path: Path) -> None:
    a = await _agreed(world, "written")
    await cases.archive((await cases.record_follow_up(a.id, cases.Actor(world.mediator), D0 + timedelta(days=20),
                                                      "yes", True)).id, cases.Actor(world.mediator))
    await family_case(world)  # registered only
    seen: list[tuple[int, int]] = []
    out = tmp_path / "export"
    count, files = await documents.export_year(world.town.id, D0.year, str(out), status="archived",
                                               progress=lambda d, t: seen.append((d, t)))
    assert count == 1 and seen == [(1, 1)]
    folders = [p.name for p in out.iterdir()]
    assert folders == ["〔2026〕江湾调字第1号"]
    names = sorted(p.name for p in (out / folders[0]).iterdir())
    assert len(names) == files and names[0] == "01-卷宗封面.docx" and names[1] == "02-卷内目录.docx"
    assert any("回访记录" in n for n in names) and any("结案报告" in n for n in names)
    assert (await documents.export_year(world.town.id, D0.year, str(tmp_path / "all")))[0] == 2


def test_export_command_with_progress_bar(make_settings: Any, db_url: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import build_parser

    settings = make_settings()
    args = build_parser().parse_args(["cases", "export", "--year", "2026", "-o", str(tmp_path / "out")])
    assert args.func(args, settings) == 0
    captured = capsys.readouterr()
    assert "已导出0件案件的卷宗" in captured.out and "导出卷宗 [" in captured.err


async def test_closing_report_names_the_statistics_outcomes(world: World) -> None:
    case = await _agreed(world, "written")
    await cases.set_flags(case.id, cases.Actor(world.mediator), {"prevented_mass_fight": True},
                          {"prevented_mass_fight": 8})
    closing = text_of(await documents.render("closing", case.id))
    assert "统计事项：防止群体性械斗（8人）。" in closing
