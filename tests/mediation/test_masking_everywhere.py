"""Every page and field that shows case text masks parties' phones, ID numbers and names for the unentitled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models import cases
from models.questions import QuestionLog
from tests.admin.conftest import login
from tests.eventually import eventually
from tests.mediation.conftest import PASSWORD, new_case

pytestmark = pytest.mark.db

PHONE, ID_NUMBER, NAME = "13812341234", "110101199003071234", "张小三"
SECRET = f"{NAME}电话{PHONE}身份证{ID_NUMBER}"


async def _case_with_secrets_everywhere(world: Any) -> int:
    """A case where every free-text field a mediator fills holds a phone, an ID number and a party's name."""
    actor = cases.Actor(user=world.mediator, label=world.mediator.display_name)
    case = await new_case(world)
    day = cases.today() - timedelta(days=3)
    await cases.accept(case.id, actor, [world.mediator.id], due_days=30, on=day)
    await cases.record_session(case.id, actor, day, f"调解情况：{SECRET}", place=f"地点：{SECRET}",
                               participants=f"参加：{SECRET}")
    await cases.agree(case.id, actor, cases.AgreementIn(
        terms=f"协议：{SECRET}", effective_on=day, facts=f"事实：{SECRET}", issues=f"争议：{SECRET}",
        responsibility=f"责任：{SECRET}", performance=f"履行方式：{SECRET}", perform_by=day + timedelta(days=9)),
        followup_days=10)
    await cases.record_follow_up(case.id, actor, day + timedelta(days=1), "yes", True, f"回访：{SECRET}")
    await cases.apply_confirmation(case.id, actor, day + timedelta(days=1), court=f"法院：{SECRET}")
    return case.id


async def test_case_page_masks_every_text_field_for_an_unassigned_mediator(world: Any, make_settings: Any,
                                                                         make_client: Any) -> None:
    client = await make_client(make_settings())
    case_id = await _case_with_secrets_everywhere(world)
    await login(client, world.mediator2.display_name, PASSWORD)  # same town, not assigned
    html = await (await client.get(f"/admin/cases/{case_id}")).text()
    assert "履行方式" in html and "地点：" in html and "回访：" in html  # the fields are shown ...
    for secret in (PHONE, ID_NUMBER, NAME):  # ... without the parties' details
        assert secret not in html, secret
    assert "138****1234" in html and "110***********1234" in html and "张*三" in html


async def test_assigned_mediator_sees_the_text_as_written(world: Any, make_settings: Any, make_client: Any) -> None:
    client = await make_client(make_settings())
    case_id = await _case_with_secrets_everywhere(world)
    await login(client, world.mediator.display_name, PASSWORD)
    html = await (await client.get(f"/admin/cases/{case_id}")).text()
    assert f"履行方式：{SECRET}" in html and f"地点：{SECRET}" in html


async def test_the_question_log_stores_no_phone_or_id_number(make_settings: Any, make_client: Any, db: str) -> None:

    from tests.handlers.test_legal import say

    client = await make_client(make_settings())
    await say(client, "v-mask", f"邻居欠钱不还怎么办 我电话{PHONE} 身份证{ID_NUMBER}")
    await eventually(QuestionLog.exists)
    row = await QuestionLog.get()
    assert PHONE not in row.question and ID_NUMBER not in row.question
    assert "138****1234" in row.question and row.question.startswith("邻居欠钱不还怎么办")


