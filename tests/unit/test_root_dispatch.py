"""The POST / dispatcher: the strongest claim wins, nobody or a tie gets the bridge's refusal, OpenAPI merges."""

import json

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from api_bridge.contracts import discover
from api_bridge.contracts.root import Claim, RootHandler, RootRequest, choose, make_router
from api_bridge.contracts.volcengine.routes import claim as volc_claim


def handler(name, claim, schema=None, responses=None, query=()):
    async def handle(request, raw):
        return JSONResponse({"by": name, "body": raw.json, "query": list(map(list, raw.query))})

    return RootHandler(
        contract=name,
        claim=claim,
        handle=handle,
        addressed_by=f"ask for {name}",
        body_schema=schema or {"type": "object", "title": name},
        query=list(query),
        responses=responses or {200: {"description": f"{name} ok", "content": {"application/json": {"schema": {}}}}},
    )


def by_body_action(request: RootRequest) -> Claim:
    body = request.json
    if isinstance(body, dict) and body.get("Action") == "Mine":
        return Claim.sure
    return Claim.maybe if isinstance(body, dict) else Claim.no


QUERY = handler("query", lambda r: Claim.sure if r.query_has("Action") else Claim.no, query=[{"name": "Action"}])
BODY = handler("body", by_body_action)


def client(*handlers):
    app = FastAPI()
    app.include_router(make_router(handlers))
    return TestClient(app)


def test_the_strongest_claim_answers():
    c = client(QUERY, BODY)
    assert c.post("/?Action=X", json={"other": 1}).json()["by"] == "query"  # sure beats maybe
    assert c.post("/", json={"Action": "Mine"}).json()["by"] == "body"
    assert c.post("/", json={"other": 1}).json()["by"] == "body"  # maybe: it answers its own error


def test_nobody_claiming_gets_the_bridges_refusal_naming_every_contract():
    r = client(QUERY, BODY).post("/", content=b"not json", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    assert "no contract" in message and "query: ask for query" in message and "body: ask for body" in message


def test_a_tie_is_refused_not_guessed(caplog):
    twin = handler("twin", by_body_action)
    assert isinstance(choose([BODY, twin], RootRequest([], {}, b'{"Action": "Mine"}')), str)
    r = client(BODY, twin).post("/", json={"Action": "Mine"})
    assert r.status_code == 400 and "ambiguous between body, twin" in r.json()["error"]["message"]
    assert "claimed alike" in caplog.text


def test_a_third_handler_changes_nothing_for_the_others():
    third = handler("third", lambda r: Claim.sure if r.headers.get("x-third") else Claim.no)
    c = client(QUERY, BODY, third)
    assert c.post("/", json={"Action": "Mine"}).json()["by"] == "body"
    assert c.post("/?Action=Y", json={}).json()["by"] == "query"
    assert c.post("/", content=b"x", headers={"X-Third": "1"}).json()["by"] == "third"


def test_openapi_describes_every_handler_at_the_one_path():
    doc = client(QUERY, BODY).app.openapi()
    op = doc["paths"]["/"]["post"]
    assert list(doc["paths"]["/"]) == ["post"]  # GET / stays free (IOPaint's web UI)
    assert op["requestBody"]["content"]["application/json"]["schema"]["anyOf"] == [
        {"type": "object", "title": "query"},
        {"type": "object", "title": "body"},
    ]
    (action,) = op["parameters"]
    assert action["name"] == "Action" and action["required"] is False and action["description"].startswith("query")
    assert "query ok" in op["responses"]["200"]["description"] and "body ok" in op["responses"]["200"]["description"]
    assert "error" in json.dumps(op["responses"]["400"])  # the unclaimed refusal is documented


def test_volcengine_claims_by_its_query_or_its_signature_header():
    assert volc_claim(RootRequest([("Action", "CVProcess"), ("Version", "2022-08-31")], {}, b"")) is Claim.sure
    assert volc_claim(RootRequest([("Version", "2022-08-31")], {}, b"")) is Claim.sure
    signed = {"authorization": "HMAC-SHA256 Credential=AK/20240101/cn-north-1/cv/request, ..."}
    assert volc_claim(RootRequest([], signed, b"{}")) is Claim.maybe
    assert volc_claim(RootRequest([], {}, b'{"Action": "ModifyMaskedPixels"}')) is Claim.no


def test_the_served_contracts_share_root_through_the_dispatcher():
    names = {c.name for c in discover() if c.make_root}
    assert "volcengine" in names


def test_the_dispatcher_comes_before_every_contract_route_so_a_web_ui_at_root_cannot_shadow_it(tmp_path):
    from api_bridge.server.app import create_app
    from api_bridge.server.settings import BridgeSettings

    app = create_app(BridgeSettings(comfy_urls=["http://127.0.0.1:9"], data_dir=tmp_path))

    def flat(routes):  # FastAPI keeps included routers as such: look inside, in order
        for r in routes:
            inner = getattr(r, "original_router", None)
            yield from flat(inner.routes) if inner is not None else [r]

    routes = list(flat(app.routes))
    dispatcher = next(i for i, r in enumerate(routes) if r.path == "/" and "POST" in r.methods)
    assert dispatcher < next(i for i, r in enumerate(routes) if r.path == "/v3/async/inpainting")
