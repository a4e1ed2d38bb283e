"""Webhooks: HMAC-SHA256 signed, retried with backoff, failures counted and never raised."""

import asyncio
import hashlib
import hmac
import json
import socket

from aiohttp import web

from api_bridge.webhooks import WebhookSender, sign


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_signature_is_hmac_sha256_over_timestamp_and_body():
    expected = hmac.new(b"k", b"123." + b'{"a":1}', hashlib.sha256).hexdigest()
    assert sign("k", "123", b'{"a":1}') == "sha256=" + expected


def test_delivery_is_signed_and_retried_until_the_receiver_answers():
    async def scenario():
        seen, answers = [], [500, 503, 200]

        async def hook(request):
            body = await request.read()
            seen.append((request.headers["X-IB-Timestamp"], request.headers["X-IB-Signature"], body))
            return web.Response(status=answers[len(seen) - 1])

        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        sender = WebhookSender("secret", attempts=4, backoff=0.01)
        ok = await sender.send(f"http://127.0.0.1:{port}/hook", {"event": "task.finished", "id": "t1"})
        await sender.close()
        await runner.cleanup()
        return ok, seen, sender

    ok, seen, sender = asyncio.run(scenario())
    assert ok and len(seen) == 3 and sender.delivered == 1
    ts, signature, body = seen[-1]
    assert signature == sign("secret", ts, body) and json.loads(body)["id"] == "t1"


def test_a_receiver_that_is_down_is_given_up_without_raising():
    async def scenario():
        sender = WebhookSender("s", attempts=3, backoff=0.01, timeout=2)
        ok = await sender.send(f"http://127.0.0.1:{free_port()}/hook", {"x": 1})
        await sender.close()
        return ok, sender

    ok, sender = asyncio.run(scenario())
    assert ok is False and sender.failed == 1 and sender.delivered == 0
