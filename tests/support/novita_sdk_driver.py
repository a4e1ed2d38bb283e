"""Runs inside the novita-client venv (.cache/clients/novita): one SDK call, JSON out.

stdin: {"base_url", "key", "op": "inpainting" | "async_inpainting" | "task_result" | "models_v3" |
        "query_model_v3", "args": {...}}
  inpainting / async_inpainting: the SDK method's keyword arguments; "loras" / "embeddings" as lists of
  dicts (made into the SDK's InpaintingLoRA / InpaintingEmbedding); "image" / "mask" as bare base64.
stdout: {"result": {...}} or {"error": str(exception), "type": name} exactly as a caller sees it.
Standard library + the SDK only: this file must not import the project.
"""

import json
import sys

from novita_client import NovitaClient
from novita_client.proto import InpaintingEmbedding, InpaintingLoRA


def sdk_args(args):
    args = dict(args)
    if args.get("loras") is not None:
        args["loras"] = [InpaintingLoRA(**lora) for lora in args["loras"]]
    if args.get("embeddings") is not None:
        args["embeddings"] = [InpaintingEmbedding(**emb) for emb in args["embeddings"]]
    return args


def result_view(res):
    images = res.images or []
    return {
        "task_id": res.task.task_id,
        "status": res.task.status.value,
        "reason": res.task.reason,
        "progress_percent": res.task.progress_percent,
        "seed": res.extra.seed,
        "debug_info": bool(res.extra.debug_info),
        "image_urls": [i.image_url for i in images],
        "image_types": [i.image_type for i in images],
        "image_url_ttls": [i.image_url_ttl for i in images],
        "images_encoded": getattr(res, "images_encoded", None),
    }


def main():
    spec = json.load(sys.stdin)
    client = NovitaClient(spec["key"], base_url=spec["base_url"])
    op, args = spec["op"], spec.get("args", {})
    try:
        if op == "inpainting":
            out = result_view(client.inpainting(**sdk_args(args)))
        elif op == "async_inpainting":
            out = {"task_id": client.async_inpainting(**sdk_args(args)).task_id}
        elif op == "task_result":
            out = result_view(client.async_task_result(args["task_id"]))
        elif op == "models_v3":
            out = {"sd_names": [(m.type.name, m.sd_name) for m in client.models_v3(refresh=True)]}
        elif op == "query_model_v3":
            res = client.query_model_v3(**args)
            out = {"sd_names": [(m.type.name, m.sd_name) for m in res.models], "next": res.pagination.next_cursor}
        else:
            raise SystemExit(f"unknown op {op!r}")
        print(json.dumps({"result": out}))
    except Exception as exc:  # NovitaResponseError etc., as the caller sees them
        print(json.dumps({"error": str(exc), "type": type(exc).__name__}))


if __name__ == "__main__":
    main()
