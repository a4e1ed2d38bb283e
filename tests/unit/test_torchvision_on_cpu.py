"""The set-up's torchvision hook: ComfyUI imports torchvision, so it must import here."""

import subprocess
import sys


def test_torchvision_imports_and_nms_matches_a_brute_force_reference():
    code = r"""
import importlib.util
# Libraries (transformers) probe with find_spec long before importing: the hook must survive it.
assert importlib.util.find_spec("torchvision") is not None
import torch, torchvision
torch.manual_seed(0)
xy = torch.rand(60, 2) * 100
boxes = torch.cat([xy, xy + torch.rand(60, 2) * 40 + 1], 1)
scores = torch.rand(60)
keep = torchvision.ops.nms(boxes, scores, 0.3).tolist()
# reference: greedy suppression written out
order = scores.argsort(descending=True).tolist()
ref, dead = [], set()
for i in order:
    if i in dead: continue
    ref.append(i)
    for j in order:
        iou = torchvision.ops.box_iou(boxes[i:i+1], boxes[j:j+1]).item()
        if j != i and iou > 0.3: dead.add(j)
assert keep == ref, (keep, ref)
print(len(keep))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert 0 < int(out.stdout) < 60
