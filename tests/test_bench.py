"""`make bench` must keep running: a tiny, bounded run of the benchmark prints every section.

It asserts that the benchmark works, never a figure: figures are for people to read."""

from __future__ import annotations

import re
import subprocess
import sys

from launchpad.paths import REPO_ROOT


def test_the_serving_benchmark_runs_end_to_end():
    run = subprocess.run(
        [sys.executable, "bench/serving.py", "--requests", "16", "--seconds", "0.3", "--no-images"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert "unexpected statuses" not in out, out
    rows = re.findall(r"^ {3}(naive PyTorch|micro-batched \S+(?: int8)?) +(\d+) +(\d+) ", out, re.M)
    assert [(name, int(c)) for name, c, _ in rows] == [
        (name, c)
        for name in ("naive PyTorch", "micro-batched PyTorch", "micro-batched ONNX int8")
        for c in (1, 8, 32)
    ], out
    assert all(int(throughput) > 0 for *_, throughput in rows), out
    for section in ("1. Ceiling", "2. Served", "3. Against the targets", "4. Cold start"):
        assert section in out
    assert re.search(r"^ {3}onnx +\d+\.\d s$", out, re.M), out
