"""Submitted reports: the text and figures of a 述法报告 section as sent up, frozen."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class SubmittedReport(Model):
    """A report section as submitted: who, when, its text and its figures, never changed afterwards"""

    id = fields.IntField(primary_key=True)
    scope = fields.CharField(max_length=160)  # "town:江湾镇", "town:江湾镇/村:东山村", "county:全县"
    period_start = fields.DateField()
    period_last = fields.DateField()
    text = fields.TextField()
    figures: Any = fields.JSONField(default=dict)  # flattened: "activities.events" -> 35
    submitted_by = fields.CharField(max_length=64, default="")
    submitted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "report_submitted"
        unique_together = (("scope", "period_start", "period_last"),)
