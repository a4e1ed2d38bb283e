"""Webhooks: HMAC-SHA256 signed, retried with backoff, failures counted and never raised; targets under the
bridge's address policy on every redirect hop."""

import asyncio
import hashlib
import hmac
import json
import socket

import pytest
from aiohttp import web

from api_bridge.errors import BridgeError, ErrorCode
from api_bridge.net import UrlPolicy
from api_bridge.webhooks import WebhookSender, sign

LOCAL = UrlPolicy(allow_private=True)  # these tests' receivers listen on loopback


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
        sender = WebhookSender("secret", attempts=4, backoff=0.01, policy=LOCAL)
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
        sender = WebhookSender("s", attempts=3, backoff=0.01, timeout=2, policy=LOCAL)
        ok = await sender.send(f"http://127.0.0.1:{free_port()}/hook", {"x": 1})
        await sender.close()
        return ok, sender

    ok, sender = asyncio.run(scenario())
    assert ok is False and sender.failed == 1 and sender.delivered == 0


async def start_receiver(handler):
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port


def test_loopback_and_private_targets_are_refused_by_default_without_a_request():
    async def scenario():
        seen = []

        async def hook(request):
            seen.append(await request.read())
            return web.Response(status=200)

        runner, port = await start_receiver(hook)
        sender = WebhookSender("s", attempts=3, backoff=0.01)
        ok = await sender.send(f"http://127.0.0.1:{port}/hook", {"x": 1})
        named = await sender.send(f"http://localhost:{port}/hook", {"x": 2})  # a name resolving to loopback
        await sender.close()
        await runner.cleanup()
        return ok, named, seen, sender

    ok, named, seen, sender = asyncio.run(scenario())
    assert ok is False and named is False and seen == [] and sender.failed == 2


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/hook", "http://10.1.2.3/hook", "http://[::1]:8000/", "http://169.254.169.254/", "file:///x"],
)
def test_check_refuses_non_public_literal_targets_and_other_schemes(url):
    with pytest.raises(BridgeError) as info:
        WebhookSender().check(url)
    assert info.value.code is ErrorCode.url_refused


def test_check_accepts_public_names_and_allowed_hosts():
    WebhookSender().check("https://hooks.example.com/ib")
    WebhookSender(policy=UrlPolicy(allow_hosts=frozenset({"10.1.2.3:9000"}))).check("http://10.1.2.3:9000/hook")
    with pytest.raises(BridgeError):
        WebhookSender(policy=UrlPolicy(allow_hosts=frozenset({"10.1.2.3:9000"}))).check("http://10.1.2.3:9001/")


def redirect_scenario(allow_second: bool):
    async def scenario():
        seen = []

        async def second(request):
            seen.append((request.method, await request.read(), request.headers.get("X-IB-Signature")))
            return web.Response(status=204)

        runner2, port2 = await start_receiver(second)

        async def first(request):
            raise web.HTTPTemporaryRedirect(f"http://127.0.0.1:{port2}/hook")

        runner1, port1 = await start_receiver(first)
        allowed = {f"127.0.0.1:{port1}"} | ({f"127.0.0.1:{port2}"} if allow_second else set())
        sender = WebhookSender("k", attempts=2, backoff=0.01, policy=UrlPolicy(allow_hosts=frozenset(allowed)))
        ok = await sender.send(f"http://127.0.0.1:{port1}/hook", {"id": "t"})
        await sender.close()
        await runner1.cleanup()
        await runner2.cleanup()
        return ok, seen

    return asyncio.run(scenario())


def test_a_redirect_to_a_refused_address_is_not_followed():
    ok, seen = redirect_scenario(allow_second=False)
    assert ok is False and seen == []


def test_a_307_redirect_to_an_allowed_host_keeps_the_signed_post():
    ok, seen = redirect_scenario(allow_second=True)
    assert ok is True and len(seen) == 1
    method, body, signature = seen[0]
    assert method == "POST" and json.loads(body) == {"id": "t"} and signature.startswith("sha256=")
