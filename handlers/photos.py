"""Photos sent in chat: what a downloader gives back, and the photo record it becomes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

PROBLEMS = {"too_large": "太大", "not_image": "不是图片", "unavailable": "没能下载"}


@dataclass(frozen=True)
class Download:
    """A downloaded photo, or the reason there is none."""

    data: bytes = b""
    content_type: str = ""
    problem: str = ""  # "" | too_large | not_image | unavailable


class PhotoSource(Protocol):
    """Fetches a photo by the media id the chat gave (the WeChat media API in production)."""

    async def download(self, media_id: str) -> Download:
        """The photo, or why there is none."""


async def photo_records(photos: list[dict[str, str]], media: PhotoSource | None,
                        max_bytes: int) -> tuple[list[dict[str, Any]], list[str]]:
    """ActivityPhoto values for the photos of a form, their bytes downloaded; and the problems of the rest.

    A photo too large or not an image is left out; one that cannot be downloaded now keeps its media id
    and URL (as before) so nothing the helper sent is lost.
    """
    if media is None:
        return [{"media_id": p["media_id"], "pic_url": p.get("pic_url", "")} for p in photos], []
    downloads = await asyncio.gather(*(media.download(p["media_id"]) for p in photos))
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    for p, d in zip(photos, downloads, strict=True):
        if d.problem in ("too_large", "not_image") or len(d.data) > max_bytes:
            problems.append(PROBLEMS.get(d.problem or "too_large", "没能下载"))
            continue
        record: dict[str, Any] = {"media_id": p["media_id"], "pic_url": p.get("pic_url", "")}
        if d.data:
            record.update(data=d.data, size=len(d.data), content_type=d.content_type)
        records.append(record)
    return records, problems


def problems_note(problems: list[str], max_bytes: int) -> str:
    """A sentence about photos left out, or ''."""
    if not problems:
        return ""
    why = "、".join(dict.fromkeys(problems))
    return f"有{len(problems)}张照片{why}（每张不超过{max_bytes // 1024 // 1024 or 1}MB），没有保存。"
