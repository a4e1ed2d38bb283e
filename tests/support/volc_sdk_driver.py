"""Runs inside the volcengine client venv (.cache/clients/volcengine): one SDK call, JSON out.

stdin: {"host", "ak", "sk", "method": "cv_process" | "img2img_inpainting" | "raw_action",
        "action"?, "version"?, "form", "socket_timeout"?,
        "tamper"?: "stale_date" | "drop_authorization" | "drop_content_sha256"}
stdout: {"result": <parsed 200 body>} or {"error": str(exception)} exactly as a caller sees it.
Standard library + the SDK only: this file must not import the project.
"""

import datetime
import json
import sys

from volcengine.ApiInfo import ApiInfo
from volcengine.auth.SignerV4 import SignerV4
from volcengine.visual.VisualService import VisualService


def tamper(kind):
    if kind == "stale_date":
        stale = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
        SignerV4.get_current_format_date = staticmethod(lambda: stale.strftime("%Y%m%dT%H%M%SZ"))
    elif kind in ("drop_authorization", "drop_content_sha256"):
        header = "Authorization" if kind == "drop_authorization" else "X-Content-Sha256"
        original = SignerV4.sign

        def sign(request, credentials):
            original(request, credentials)
            request.headers.pop(header, None)

        SignerV4.sign = staticmethod(sign)
    elif kind:
        raise SystemExit(f"unknown tamper {kind!r}")


def main():
    spec = json.load(sys.stdin)
    tamper(spec.get("tamper"))
    svc = VisualService()  # a singleton that resets host and credentials on every construction
    svc.set_ak(spec["ak"])
    svc.set_sk(spec["sk"])
    svc.set_host(spec["host"])
    if spec.get("socket_timeout"):
        svc.set_socket_timeout(spec["socket_timeout"])  # the SDK's default read timeout is 30 s
    try:
        if spec["method"] == "raw_action":
            name = spec["action"]
            query = {"Action": name, "Version": spec.get("version", "2022-08-31")}
            svc.api_info[name] = ApiInfo("POST", "/", query, {}, {})
            out = svc.common_json_handler(name, spec["form"])
        else:
            out = getattr(svc, spec["method"])(spec["form"])
        print(json.dumps({"result": out}))
    except Exception as exc:  # the SDK raises a bare Exception carrying the response body
        print(json.dumps({"error": str(exc)}))


if __name__ == "__main__":
    main()
