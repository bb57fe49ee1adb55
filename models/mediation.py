"""People's mediation (人民调解): cases, parties, mediators, records, agreements, follow-ups, audit, reminders."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.case_flow import Source, Status
from models.core import Town, User, Village


class CaseCounter(Model):
    """The last case sequence number used per town and year (numbering restarts each year)"""

    id = fields.IntField(primary_key=True)
    town: fields.ForeignKeyRelation[Town] = fields.ForeignKeyField(
        "core.Town", related_name="case_counters", on_delete=fields.CASCADE
    )
    year = fields.IntField()
    last_seq = fields.IntField(default=0)  # 调字号, issued at 受理
    last_reg_seq = fields.IntField(default=0, db_default=0)  # registration numbers, issued at 登记

    class Meta:
        table = "mediation_case_counter"
        unique_together = (("town", "year"),)


class Case(Model):
    """A dispute registered with the town mediation studio (调解登记)"""

    id = fields.IntField(primary_key=True)
    town: fields.ForeignKeyRelation[Town] = fields.ForeignKeyField(
        "core.Town", related_name="cases", on_delete=fields.CASCADE
    )
    number = fields.CharField(max_length=64, unique=True, null=True)  # 调字号, given at 受理 only
    reg_number = fields.CharField(max_length=64, unique=True, null=True)  # 登记号, given at 登记
    year = fields.IntField()  # the year of the 调字号 once accepted, of registration before
    reg_seq = fields.IntField(null=True)
    seq = fields.IntField(null=True)
    case_type = fields.CharField(max_length=16, db_index=True)
    stat_category = fields.CharField(max_length=16, default="", db_default="")  # one of the 15 (models.case_types)
    source = fields.CharEnumField(Source, max_length=16, default=Source.APPLIED)
    referred_by = fields.CharField(max_length=16, default="")  # 法院/公安/信访/政府 for referrals
    status = fields.CharEnumField(Status, max_length=24, default=Status.REGISTERED, db_index=True)
    village: fields.ForeignKeyNullableRelation[Village] = fields.ForeignKeyField(
        "core.Village", related_name="cases", null=True, on_delete=fields.SET_NULL
    )
    village_name = fields.CharField(max_length=64, default="")
    summary = fields.TextField(default="")
    applicant_openid = fields.CharField(max_length=64, null=True, db_index=True)
    reporter_openid = fields.CharField(max_length=64, null=True, db_index=True)
    registered_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="registered_cases", null=True, on_delete=fields.SET_NULL
    )
    registered_at = fields.DatetimeField(auto_now_add=True)
    accepted_on = fields.DateField(null=True)
    due_on = fields.DateField(null=True, db_index=True)
    closed_on = fields.DateField(null=True)
    follow_up_due = fields.DateField(null=True, db_index=True)  # set by an agreement, cleared by a visit
    confirmation_deadline = fields.DateField(null=True)  # written agreements: effective day + 30 (§33)
    archived_at = fields.DatetimeField(null=True)
    decline_reason = fields.CharField(max_length=32, default="")
    fail_routes = fields.CharField(max_length=32, default="")  # 诉讼,仲裁,行政 told to the parties (§26)
    end_note = fields.TextField(default="")
    end_reason = fields.CharField(max_length=32, default="", db_default="")  # 终止调解: a TERMINATE_REASONS key
    extended_on = fields.DateField(null=True)  # the last extension agreed by both parties
    extension_note = fields.CharField(max_length=256, default="", db_default="")
    session_at = fields.DatetimeField(null=True)  # the next mediation session, as told to the parties
    session_place = fields.CharField(max_length=128, default="", db_default="")
    applicant_seen_at = fields.DatetimeField(null=True)  # the applicant's last chat message (48-hour window)
    risk_escalation = fields.BooleanField(default=False)  # §25
    reported_to_police = fields.BooleanField(default=False)
    # Outcomes the 人民调解工作统计表 counts, marked by the mediator at closing or any time before archiving:
    # each flag is one case (件), its persons count the people involved (人).
    prevented_dispute = fields.BooleanField(default=False, db_default=False)  # 预防纠纷
    prevented_criminal = fields.BooleanField(default=False)  # 防止民间纠纷转化为刑事案件 (民转刑)
    prevented_criminal_persons = fields.IntField(default=0, db_default=0)
    prevented_mass_petition = fields.BooleanField(default=False, db_default=False)  # 防止群体性上访
    prevented_mass_petition_persons = fields.IntField(default=0, db_default=0)
    prevented_mass_fight = fields.BooleanField(default=False, db_default=False)  # 防止群体性械斗
    prevented_mass_fight_persons = fields.IntField(default=0, db_default=0)
    prevented_suicide = fields.BooleanField(default=False, db_default=False)  # 防止因民间纠纷引起自杀
    prevented_suicide_persons = fields.IntField(default=0, db_default=0)
    escalated = fields.BooleanField(default=False)  # 上交 to county level or above
    escalation_recorded = fields.BooleanField(default=False)  # 上交 was asked and answered (escalated holds it)
    updated_at = fields.DatetimeField(auto_now=True)

    parties: fields.ReverseRelation[Party]
    agreements: fields.ReverseRelation[Agreement]
    confirmations: fields.ReverseRelation[JudicialConfirmation]
    investigations: fields.ReverseRelation[Investigation]
    assignments: fields.ReverseRelation[Assignment]
    sessions: fields.ReverseRelation[SessionRecord]
    follow_ups: fields.ReverseRelation[FollowUp]
    audit: fields.ReverseRelation[AuditEntry]

    class Meta:
        table = "mediation_case"
        unique_together = (("town", "year", "seq"),)

    @property
    def display_number(self) -> str:
        """The 调字号 once accepted, the registration number before (and for refused cases)."""
        return self.number or self.reg_number or ""


class Party(Model):
    """A party to a dispute (a person or an organisation), whose personal data only the case's staff see"""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "mediation.Case", related_name="parties", on_delete=fields.CASCADE
    )
    side = fields.CharField(max_length=16, default="applicant")  # applicant / respondent / third
    kind = fields.CharField(max_length=8, default="person", db_default="person")  # person / org
    name = fields.CharField(max_length=64, db_index=True)  # 姓名 or 名称
    phone = fields.CharField(max_length=32, default="", db_index=True)
    id_number = fields.CharField(max_length=32, default="")  # 身份证号 (person)
    address = fields.CharField(max_length=128, default="")  # 住址 / 住所
    gender = fields.CharField(max_length=4, default="", db_default="")  # 男 / 女
    ethnicity = fields.CharField(max_length=16, default="", db_default="")  # 民族
    birth_date = fields.DateField(null=True)
    occupation = fields.CharField(max_length=64, default="", db_default="")
    credit_code = fields.CharField(max_length=18, default="", db_default="")  # 统一社会信用代码 (org)
    legal_rep = fields.CharField(max_length=64, default="", db_default="")  # 法定代表人 (org)
    legal_rep_title = fields.CharField(max_length=32, default="", db_default="")  # 职务
    agent_name = fields.CharField(max_length=64, default="", db_default="")  # 代理人
    agent_relation = fields.CharField(max_length=128, default="", db_default="")  # 与当事人关系 / 代理权限
    agent_phone = fields.CharField(max_length=32, default="", db_default="")

    class Meta:
        table = "mediation_party"


class Assignment(Model):
    """A mediator assigned to a case (§19), the first one leads"""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "mediation.Case", related_name="assignments", on_delete=fields.CASCADE
    )
    mediator: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="assignments", on_delete=fields.CASCADE
    )
    lead = fields.BooleanField(default=False)
    chosen_by_parties = fields.BooleanField(default=False, db_default=False)  # §23: the parties chose this mediator
    assigned_at = fields.DatetimeField(auto_now_add=True)
    ended_at = fields.DatetimeField(null=True)  # replaced or recused: kept for the file, no longer on the case
    end_kind = fields.CharField(max_length=16, default="", db_default="")  # replaced / recused
    end_reason = fields.CharField(max_length=256, default="", db_default="")

    class Meta:
        table = "mediation_assignment"
        unique_together = (("case", "mediator"),)


class SessionRecord(Model):
    """A mediation session as recorded by the mediator (调解工作记录, §27)"""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "mediation.Case", related_name="sessions", on_delete=fields.CASCADE
    )
    held_on = fields.DateField()
    place = fields.CharField(max_length=128, default="")
    participants = fields.CharField(max_length=256, default="")
    content = fields.TextField()
    recorder = fields.CharField(max_length=64, default="", db_default="")  # 记录人
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="session_records", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mediation_session"


class Agreement(Model):
    """The mediation agreement (§28-30): written or oral, its facts, terms and performance"""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "mediation.Case", related_name="agreements", on_delete=fields.CASCADE
    )
    superseded_at = fields.DatetimeField(null=True)  # a later mediation replaced it; kept in the file
    form = fields.CharField(max_length=8, default="written")  # written / oral
    facts = fields.TextField(default="")  # 纠纷的主要事实
    issues = fields.TextField(default="")  # 争议事项
    responsibility = fields.TextField(default="")  # 各方当事人的责任
    terms = fields.TextField()  # 协议内容
    amount = fields.DecimalField(max_digits=14, decimal_places=2, null=True)  # 涉及金额 (元)
    performance = fields.CharField(max_length=256, default="")  # 履行方式
    perform_by = fields.DateField(null=True)  # 履行期限
    effective_on = fields.DateField()
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="agreements", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mediation_agreement"


class Investigation(Model):
    """An inquiry into the facts (调查记录): who was asked, where, by whom, what they said"""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "mediation.Case", related_name="investigations", on_delete=fields.CASCADE
    )
    held_on = fields.DateField()
    place = fields.CharField(max_length=128, default="")
    interviewee = fields.CharField(max_length=128, default="")  # 被调查人
    investigators = fields.CharField(max_length=128, default="")
    recorder = fields.CharField(max_length=64, default="")
    content = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mediation_investigation"


class FollowUp(Model):
    """A follow-up visit on how an agreement was performed (§31 回访)"""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "mediation.Case", related_name="follow_ups", on_delete=fields.CASCADE
    )
    visited_on = fields.DateField()
    performed = fields.CharField(max_length=8)  # yes / partly / no
    satisfied = fields.BooleanField()
    note = fields.TextField(default="")
    visited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="follow_ups", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mediation_follow_up"


class JudicialConfirmation(Model):
    """An application to a court to confirm the agreement (§33), and the decision"""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "mediation.Case", related_name="confirmations", on_delete=fields.CASCADE
    )
    agreement: fields.ForeignKeyNullableRelation[Agreement] = fields.ForeignKeyField(
        "mediation.Agreement", related_name="confirmations", null=True, on_delete=fields.SET_NULL
    )
    court = fields.CharField(max_length=128, default="")
    applied_on = fields.DateField()
    decided_on = fields.DateField(null=True)
    result = fields.CharField(max_length=16, default="pending")  # pending / confirmed / rejected
    note = fields.TextField(default="")

    class Meta:
        table = "mediation_confirmation"


class AuditEntry(Model):
    """One change to a case: who, when, from which status to which, and a note"""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "mediation.Case", related_name="audit", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="case_audit", null=True, on_delete=fields.SET_NULL
    )
    actor_label = fields.CharField(max_length=64, default="")
    action = fields.CharField(max_length=32)
    from_status = fields.CharField(max_length=24, default="")
    to_status = fields.CharField(max_length=24, default="")
    note = fields.TextField(default="")
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "mediation_audit"
        ordering = ("at", "id")


class ReminderSent(Model):
    """The ledger of deadline reminders: one row per case, kind and due day makes each reminder go out once"""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "mediation.Case", related_name="reminders", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=32)  # mediation_due / confirmation_window / follow_up
    due_on = fields.DateField()
    recipients = fields.IntField(default=0)
    sent_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mediation_reminder_sent"
        unique_together = (("case", "kind", "due_on"),)


class Notification(Model):
    """One message to one person about a case: queued in the transaction that caused it, sent once by the worker"""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "mediation.Case", related_name="notifications", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=128, unique=True)  # the event and recipient: the same event is told once
    kind = fields.CharField(max_length=32)  # accepted / declined / session / agreed / closed / new_case / due_soon
    openid = fields.CharField(max_length=64)
    recipient_label = fields.CharField(max_length=64, default="")  # 申请人 / the staff member's name
    text = fields.TextField()
    status = fields.CharField(max_length=16, default="pending", db_index=True)  # pending / sending / sent / failed
    channel = fields.CharField(max_length=16, default="")  # custom (48-hour window) / template
    attempts = fields.IntField(default=0)
    error = fields.CharField(max_length=128, default="")
    not_before = fields.DatetimeField(null=True)  # quiet hours: held until then
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mediation_notification"
