"""Security fixtures: two towns, one person per role, cases and activities, and ways to act as each role."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from tortoise.connection import get_connection

from bot import keys
from bot.admin import session as admin_sessions
from bot.admin.passwords import hash_password
from bot.api.auth import SESSION_PREFIX
from bot.wechat.client import WeChatSimulator, text_xml
from models.core import Role, Town, User, Village
from models.mediation import AuditEntry, Case, Party, Source
from models.outreach import Activity, ActivityChange, ActivityKind, ActivityPhoto
from services import cases
from services.activities import add_photo, create_activity
from tests.conftest import TOKEN

PASSWORD = "mima2026ok"
_HASH: list[str] = []
_ids = itertools.count(int(time.time() * 1000))

# The roles of every matrix, in the order the tables list them.
ROLES = ("anonymous", "villager", "helper", "mediator", "admin", "county_admin", "other_admin")

# Hostile text tried in every free-text field.
HOSTILE = (
    "'; DROP TABLE user; --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2",
    "@SUM(A1)",
)


def password_hash() -> str:
    """One scrypt hash of PASSWORD, computed once per test session (it is slow on purpose)."""
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@dataclass
class World:
    """Town A (the default town, 江湾镇) with one person per role, town B (河口镇) with its own admin."""

    client: Any
    sim: WeChatSimulator
    fake: Any
    town: Town
    other_town: Town
    village: Village
    village2: Village
    other_village: Village
    people: dict[str, User]
    other_helper: User
    case: Case  # applied for in chat by the villager, town A
    agreed_case: Case  # town A, accepted with the admin as its mediator, with an agreement
    other_case: Case  # town B
    activity: Activity  # logged by the helper, town A
    photo: ActivityPhoto
    other_activity: Activity  # town B
    api_tokens: dict[str, str] = field(default_factory=dict)

    @property
    def party_id(self) -> int:
        """The respondent of the town-A case (for the party-edit route)."""
        return self._party_id

    _party_id: int = 0

    def openid(self, role: str) -> str:
        """The WeChat openid a role talks from (an unbound one for anonymous)."""
        return "o-stranger" if role == "anonymous" else str(self.people[role].openid)

    async def say(self, role: str, text: str) -> str:
        """Send text through the real /wechat callback as this role; the reply text."""
        req = self.sim.sign(text_xml(self.openid(role), text, next(_ids)))
        resp = await self.client.post("/wechat", params=req.query, data=req.body)
        assert resp.status == 200, await resp.text()
        return str(self.sim.open_reply(await resp.text(), req.query).get("Content", ""))

    async def console_session(self, role: str) -> tuple[str, str]:
        """A live console session for this role's person (cookie value, CSRF token), written to Redis.

        Sessions are normally created only for staff at login; one for a villager or helper stands
        for a session whose person has since been demoted, which the views must still refuse.
        """
        user = self.people[role]
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        value = json.dumps({"uid": user.id, "csrf": csrf, "created": time.time()})
        key = "mingbai:admin:session:" + hashlib.sha256(token.encode()).hexdigest()
        assert key == admin_sessions._key(token)
        await self.client.app[keys.REDIS].set(key, value, ex=3600)
        return token, csrf

    async def api_headers(self, role: str) -> dict[str, str]:
        """The Authorization header of a mini-program session for this role (anonymous: none at all)."""
        if role == "anonymous":
            return {}
        if role not in self.api_tokens:
            token = secrets.token_urlsafe(32)
            openid = self.openid(role)
            await self.client.app[keys.REDIS].set(SESSION_PREFIX + token, json.dumps({"openid": openid}), ex=3600)
            self.api_tokens[role] = token
        return {"Authorization": f"Bearer {self.api_tokens[role]}"}


async def fingerprint() -> dict[str, Any]:
    """Everything a refused request must leave alone: row counts and the mutable fields that matter."""
    return {
        "cases": sorted(await Case.all().values_list("id", "town_id", "status", "summary")),
        "audit": await AuditEntry.all().count(),
        "parties": sorted(await Party.all().values_list("id", "name")),
        "activities": sorted(await Activity.all().values_list("id", "town_id", "participants", "theme",
                                                               "withdrawn")),
        "changes": await ActivityChange.all().count(),
        "photos": await ActivityPhoto.all().count(),
        "users": sorted(await User.all().values_list("id", "town_id", "display_name", "role", "openid", "active",
                                                      "password_hash")),
        "villages": sorted(await Village.all().values_list("id", "town_id", "name", "households")),
    }


async def tables_exist() -> list[str]:
    """The tables every hostile test must still find afterwards (a SELECT on each)."""
    conn = get_connection("default")
    found = []
    for table in ("user", "town", "village", "outreach_activity", "outreach_change", "mediation_case",
                  "mediation_party", "mediation_agreement", "mediation_session", "mediation_audit"):
        try:
            await conn.execute_query(f'SELECT COUNT(*) FROM "{table}"')
            found.append(table)
        except Exception:
            pass
    return found


async def make_world(client: Any, fake: Any) -> World:
    """Seed both towns, their people, cases and activities."""
    town = await Town.get(name="江湾镇")
    other = await Town.create(name="河口镇", studio_name="河口调解室", case_prefix="河口")
    v1 = await Village.create(town=town, name="江湾村", households=300)
    v2 = await Village.create(town=town, name="石桥村", households=45)
    ov = await Village.create(town=other, name="河口村", households=120)
    pw = password_hash()

    async def person(key: str, name: str, role: Role, t: Town, village: Village | None = None) -> User:
        return await User.create(openid=f"o-{key}", display_name=name, role=role, town=t, village=village,
                                 phone="13800000000", password_hash=pw, login=name)

    people = {
        "villager": await person("villager", "村民甲", Role.VILLAGER, town, v1),
        "helper": await person("helper", "李明", Role.HELPER, town, v1),
        "mediator": await person("mediator", "洪调解", Role.MEDIATOR, town),
        "admin": await person("admin", "王所长", Role.ADMIN, town),
        "county_admin": await person("county_admin", "县局李", Role.COUNTY_ADMIN, town),
        "other_admin": await person("other_admin", "河口刘所长", Role.ADMIN, other),
    }
    other_helper = await person("other_helper", "河口赵", Role.HELPER, other, ov)

    def new(t: Town, v: Village, openid: str, who: str) -> cases.NewCase:
        return cases.NewCase(
            town_id=t.id, case_type="邻里", summary=f"{who}家的排水沟堵了，雨水流进邻居院子，两家吵起来了。",
            parties=[cases.PartyIn(f"{who}", "applicant", "13812341234", "110101199003071233"),
                     cases.PartyIn("李四", "respondent", "13987654321")],
            source=Source.APPLIED, village_id=v.id, applicant_openid=openid, actor_label="申请人（微信）",
        )

    case = await cases.register_case(new(town, v1, "o-villager", "张小三"), due_days=30)
    agreed = await cases.register_case(new(town, v2, "o-nobody", "赵大"), due_days=30)
    admin_actor = cases.Actor(people["admin"])
    await cases.accept(agreed.id, admin_actor, [people["admin"].id], due_days=30)
    await cases.agree(agreed.id, admin_actor, cases.AgreementIn(terms="赵大三日内疏通排水沟。",
                                                                 effective_on=cases.today()), followup_days=30)
    other_case = await cases.register_case(new(other, ov, "o-other", "陈五"), due_days=30)
    day = dt.date.today() - dt.timedelta(days=1)
    values = {"kind": ActivityKind.PUBLICITY, "date": day, "village_id": v1.id, "form": "", "six_target": "",
              "theme": "民法典", "participants": 45, "materials": 100, "consultations": 3}
    activity = await create_activity(town.id, people["helper"], values)
    photo = await add_photo(activity, people["helper"], data=b"\x89PNG....", size=8, content_type="image/png")
    other_activity = await create_activity(other.id, other_helper, {**values, "village_id": ov.id})
    made = World(client, WeChatSimulator(TOKEN), fake, town, other, v1, v2, ov, people, other_helper,
                 case, await Case.get(id=agreed.id), other_case, activity, photo, other_activity)
    made._party_id = (await Party.get(case=case, side="respondent")).id
    return made


@pytest.fixture
async def world(make_settings: Callable[..., Any], make_client: Callable[..., Any], fake_wechat: Any,
                db: str) -> World:
    """A running app (fake WeChat API behind it) with both towns seeded."""
    fake, base = fake_wechat
    client = await make_client(make_settings(wechat={"api_base_url": base}))
    return await make_world(client, fake)
