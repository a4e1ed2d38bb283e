"""PICPIK's ``POST /`` without the web framework: parse, verify the signature, dispatch the action, answer.

``handle`` takes the raw body and returns the HTTP status and the envelope. The actions are coroutine
functions the contract supplies (``ModifyMaskedPixels`` submits, ``ListTasksDetails`` reads records);
each gets the parsed action model and the caller's PublicKey (its tasks are its own) and returns the
fields to add to the envelope. Every error, the bridge's own included, is a ``RetCode`` ≠ 0.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import BridgeError
from . import errors as E  # noqa: N812
from .models import ACTIONS, parse
from .signer import signature_matches

log = logging.getLogger(__name__)

Action = Callable[[Any, str | None], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def authenticate(body: Mapping[str, Any], keys: Mapping[str, str] | None) -> str | None:
    """The caller's PublicKey when its Signature verifies (None with auth off); else ``PicpikError``."""
    if keys is None:
        return None
    public, signature = body.get("PublicKey"), body.get("Signature")
    if not isinstance(public, str) or not public or not isinstance(signature, str) or not signature:
        raise E.PicpikError(E.MISSING_CREDENTIALS, "PublicKey and Signature are required")
    private = keys.get(public)
    if private is None:
        hint = "" if keys else " (no keys are configured on this server: IB_PICPIK_KEYS)"
        raise E.PicpikError(E.UNKNOWN_PUBLIC_KEY, f"PublicKey {public!r} is not known{hint}")
    if not signature_matches(body, private):
        raise E.PicpikError(E.BAD_SIGNATURE, "Signature does not match the request (see PICPIK's signature rules)")
    return public


async def handle(body: bytes, *, keys: Mapping[str, str] | None, actions: Mapping[str, Action]) -> Answer:
    """``keys``: PublicKey -> PrivateKey; ``None`` switches the signature check off."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        data, problem = None, f"the body is not valid JSON: {exc}"
    else:
        problem = "the body must be a JSON object"
    if not isinstance(data, dict):
        return Answer(400, E.envelope("", "", E.BAD_BODY, problem))
    action = data.get("Action") if isinstance(data.get("Action"), str) else ""
    request_uuid = data.get("request_uuid") if isinstance(data.get("request_uuid"), str) else ""
    try:
        owner = authenticate(data, keys)
        if action not in actions:
            raise E.PicpikError(E.BAD_ACTION, f"Action {action!r} is not served here; one of {', '.join(ACTIONS)}")
        fields = await actions[action](parse(action, data), owner)
        return Answer(200, E.envelope(action, request_uuid, **fields))
    except E.PicpikError as err:
        failure = err
    except BridgeError as exc:
        failure = E.from_bridge_error(exc.info)
    except Exception:  # a bug: logged here, never shown to the client
        log.exception("picpik %s failed", action)
        failure = E.PicpikError(E.INTERNAL, "internal error")
    log.info("picpik %s refused: %d %s", action or "-", failure.ret_code, failure.message)
    return Answer(failure.http_status, E.envelope(action, request_uuid, failure.ret_code, failure.message))
