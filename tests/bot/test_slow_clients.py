"""Slow request bodies are cut off; a client that vanishes mid-upload is one INFO line, not an ERROR."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from tests.eventually import eventually


async def _open(client: Any) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(client.server.host, client.server.port)


def _headers(path: str, length: int, content_type: str = "application/json") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


async def test_a_body_trickling_in_is_cut_off(make_settings: Any, make_client: Any,
                                              caplog: pytest.LogCaptureFixture) -> None:
    client = await make_client(make_settings(server={"body_timeout_seconds": 1}))
    caplog.set_level(logging.INFO, "mingbai.http")
    reader, writer = await _open(client)
    writer.write(_headers("/api/v1/auth/login", 200) + b'{"co')
    await writer.drain()
    closed = False
    for _ in range(40):  # one byte every 0.25 s: the body is never complete
        try:
            writer.write(b" ")
            await writer.drain()
            data = await asyncio.wait_for(reader.read(1024), 0.25)
        except TimeoutError:
            continue
        except ConnectionError:
            closed = True
            break
        if data == b"":
            closed = True
            break
    writer.close()
    assert closed
    assert any("body not complete" in r.getMessage() for r in caplog.records)


async def test_an_aborted_upload_is_one_info_line(make_settings: Any, make_client: Any,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    client = await make_client(make_settings())
    caplog.set_level(logging.INFO)
    for path, ctype in (("/wechat?signature=x&timestamp=1&nonce=1", "text/xml"),
                        ("/api/v1/activities/1/photos", "multipart/form-data; boundary=b")):
        _, writer = await _open(client)
        writer.write(_headers(path, 50_000, ctype) + b"x" * 1000)
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.close()
        await asyncio.sleep(0.3)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    # and the server still answers
    assert (await client.get("/healthz")).status in {200, 503}


async def test_an_upload_in_flight_at_sigterm_is_answered(db_url: str, tmp_path: Any) -> None:
    import signal
    import sys

    from tests.bot.test_cli import env, free_port

    cfg = tmp_path / "s.toml"
    cfg.write_text(f'[database]\nurl = "{db_url}"\n[wechat]\ntoken = "t"\napi_base_url = "http://127.0.0.1:9"\n'
                   '[security]\nsecret_key = "sigterm-upload-key-123"\n', encoding="utf-8")
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(cfg), "serve", "--port", str(port), env=env(), cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
            try:
                return await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                return None

        reader, writer = await eventually(connect, 60, interval=0.1)
        body = b'{"code": "wx-login-code"}'
        writer.write(_headers("/api/v1/auth/login", len(body)) + body[:5])
        await writer.drain()
        await asyncio.sleep(0.3)
        proc.send_signal(signal.SIGTERM)  # the body is still arriving
        await asyncio.sleep(1.0)
        writer.write(body[5:])
        await writer.drain()
        reply = await asyncio.wait_for(reader.read(200), 20)
        assert reply.startswith(b"HTTP/1.1 "), reply  # answered (502: the fake WeChat is not there), not dropped
        writer.close()
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
