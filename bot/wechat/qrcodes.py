"""Parametric QR codes (带参数二维码): invites (temporary, scene "invite:<code>") and villages (permanent)."""

from __future__ import annotations

import io
from typing import Any

import segno

from models.core import Village

MAX_TEMPORARY_SECONDS = 30 * 24 * 3600  # WeChat keeps a temporary QR code at most 30 days


def png(url: str, scale: int = 6) -> bytes:
    """The QR code of a URL as PNG bytes."""
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


async def invite_qr_url(api: Any, code: str, ttl_days: int) -> str:
    """The URL of a temporary QR code whose scan binds the invite's person (as long as the invite lasts, ≤ 30 days)."""
    answer = await api.create_qrcode(f"invite:{code}", min(ttl_days * 24 * 3600, MAX_TEMPORARY_SECONDS))
    return str(answer["url"])


async def village_qr_png(api: Any, village: Village) -> bytes:
    """A permanent QR code of a village: followers who scan it have their questions counted for it."""
    answer = await api.create_qrcode(f"village:{village.id}", None)
    return png(str(answer["url"]))
