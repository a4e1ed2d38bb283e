"""The load tests' verdict (tests/support/cluster_load.verify): what counts as lost, twice or unlogged."""

import json

from support.cluster_load import LoadResult, verify


def _record(worker: str) -> dict:
    return {"status": "succeeded", "worker": worker, "outputs": []}


def _log(path, *task_ids) -> None:
    path.write_text("".join(json.dumps({"msg": "task succeeded", "task_id": t}) + "\n" for t in task_ids))


def test_a_killed_replicas_unwritten_line_is_apart_and_every_other_gap_is_unlogged(tmp_path):
    result = LoadResult(
        accepted=dict.fromkeys(["logged", "cut", "silent", "double", "lost"], "http://replica"),
        final={
            "logged": _record("replica-1/0"),
            "cut": _record("replica-0/1"),  # ended by the replica killed right after committing it
            "silent": _record("replica-1/1"),  # a survivor that never wrote its line
            "double": _record("replica-1/0"),
        },
    )
    _log(tmp_path / "replica-1.log", "logged", "double", "double")
    report = verify(result, [tmp_path / "replica-1.log"], killed=frozenset({"replica-0"}))
    assert report["lost"] == ["lost"]
    assert report["twice"] == {"double": 2}
    assert report["cut_off"] == ["cut"]
    assert report["unlogged"] == ["double", "lost", "silent"]
    assert verify(result, [tmp_path / "replica-1.log"])["unlogged"] == ["cut", "double", "lost", "silent"]
