"""`make bench` must keep running, and must never print a ratio it cannot stand behind.

A tiny, bounded run of the benchmark proves every section prints and that it writes its JSON and
its plot; it asserts that the benchmark works, never a figure: figures are for people to read.
The function that decides whether a ratio can be given is tested on figures made to fail it, and
the real run is held to the same decision."""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
import subprocess
import sys

import pytest

from launchpad.authoring.shell_blocks import stop_group
from launchpad.paths import REPO_ROOT

SETUPS = ("naive PyTorch", "micro-batched PyTorch", "micro-batched ONNX int8")


def load_bench():
    """bench/serving.py is a script, not a package module: import it from its file."""
    spec = importlib.util.spec_from_file_location("bench_serving", REPO_ROOT / "bench/serving.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


bench = load_bench()


def figure(name, unit, *rounds):
    return bench.Figure(name, unit, tuple(rounds))


CEILING = figure("the PyTorch fp32 ceiling", "texts/s", 180, 175, 185)
SERVED = figure("micro-batched PyTorch at 32 clients", "req/s", 160, 150, 158)
NAIVE = figure("naive PyTorch at 32 clients", "req/s", 80, 78, 82)


def test_spread_is_the_range_over_the_median():
    assert figure("x", "req/s", 90, 100, 120).spread == pytest.approx(30 / 100)
    assert figure("x", "req/s", 100, 100, 100).spread == 0


def test_figures_that_agree_and_stay_under_their_ceiling_give_ratios():
    assert bench.why_no_ratio(SERVED, CEILING, base_is_ceiling=True) is None
    assert bench.why_no_ratio(SERVED, NAIVE, base_is_ceiling=False) is None
    ratio = bench.Ratio.of_figures("micro-batched PyTorch", 32, "ceiling", SERVED, CEILING)
    assert ratio.value == pytest.approx(158 / 180)
    assert ratio.text() == "88% of its ceiling"
    assert bench.Ratio.of_figures("m", 32, "naive", SERVED, NAIVE).text() == "2.0x naive"
    # At the limit exactly, the rounds still agree: "more than 25%" is what refuses.
    assert bench.why_no_ratio(figure("x", "req/s", 90, 100, 115), NAIVE, False) is None


def test_a_served_figure_above_its_ceiling_gets_no_ratio():
    # The run the issue reports: a PyTorch ceiling of 12 texts/s, then "707% of ceiling".
    starved = figure("the PyTorch fp32 ceiling", "texts/s", 12, 12.5, 11.8)
    served = figure("micro-batched PyTorch at 32 clients", "req/s", 85, 84, 86)
    ratio = bench.Ratio.of_figures("micro-batched PyTorch", 32, "ceiling", served, starved)
    assert ratio.value is None
    assert ratio.text().startswith("cannot give its share of its ceiling: in round 1, ")
    assert "beat the PyTorch fp32 ceiling (12 texts/s)" in ratio.text()
    assert "%" not in ratio.text()
    # One round over its own ceiling is enough, though the medians look fine.
    lucky = figure("micro-batched PyTorch at 32 clients", "req/s", 160, 190, 158)
    assert "in round 2" in bench.why_no_ratio(lucky, CEILING, base_is_ceiling=True)
    # Against naive, beating it is the point.
    assert bench.why_no_ratio(served, figure("n", "req/s", 20, 20, 20), False) is None


def test_rounds_that_disagree_by_more_than_a_quarter_give_no_ratio():
    shaky_ceiling = figure("the PyTorch fp32 ceiling", "texts/s", 230, 170, 225)
    reason = bench.why_no_ratio(SERVED, shaky_ceiling, base_is_ceiling=True)
    assert reason == (
        "the rounds of the PyTorch fp32 ceiling disagree by 27% (230, 170, 225 texts/s), "
        "more than 25%"
    )
    shaky_naive = figure("naive PyTorch at 32 clients", "req/s", 80, 50, 81)
    ratio = bench.Ratio.of_figures("micro-batched PyTorch", 32, "naive", SERVED, shaky_naive)
    assert ratio.value is None
    assert ratio.text() == (
        "cannot compare it with naive: the rounds of naive PyTorch at 32 clients disagree "
        "by 39% (80, 50, 81 req/s), more than 25%"
    )
    shaky_served = figure("micro-batched PyTorch at 32 clients", "req/s", 160, 100, 150)
    assert "micro-batched PyTorch at 32 clients disagree" in bench.why_no_ratio(
        shaky_served, CEILING, base_is_ceiling=True
    )


def test_the_serving_benchmark_runs_end_to_end(tmp_path):
    # One inference thread: on cores the rest of the suite shares, two are far slower (module
    # 06's page); its own session, so that a timeout stops the services with the bench.
    bench_run = subprocess.Popen(
        [
            sys.executable,
            "bench/serving.py",
            *("--rounds", "3", "--requests", "16", "--seconds", "0.3", "--threads", "1"),
            *("--no-images", "--out", str(tmp_path)),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = bench_run.communicate(timeout=600)
    finally:
        stop_group(bench_run.pid)
    assert bench_run.returncode == 0, err[-3000:]
    assert "unexpected statuses" not in out, out
    for section in (
        "Round 1 of 3",
        "Round 3 of 3",
        "1. Ceiling",
        "2. Served",
        "3. Ratios",
        "4. Against the targets",
        "5. Cold start",
    ):
        assert section in out, out
    rows = re.findall(r"^ {3}(naive PyTorch|micro-batched \S+(?: int8)?) +(\d+) +(\d+) ", out, re.M)
    assert [(name, int(n)) for name, n, _ in rows] == [(s, n) for s in SETUPS for n in (1, 8, 32)]
    assert all(int(throughput) > 0 for *_, throughput in rows), out
    assert re.search(r"^ {3}micro-batched ONNX int8 +\d+\.\d s$", out, re.M), out

    report = json.loads((tmp_path / "serving.json").read_text())
    assert report["settings"]["rounds"] == 3
    figures = [*report["ceilings"].values()] + [
        entry[what] for entry in report["served"] for what in ("throughput", "p50_ms", "p99_ms")
    ]
    assert len(figures) == 2 + 9 * 3
    assert all(entry["requests"] == [16, 16, 16] for entry in report["served"])
    for f in figures:
        assert len(f["rounds"]) == 3 and min(f["rounds"]) > 0, f
        assert f["median"] == statistics.median(f["rounds"])
        assert f["spread"] == pytest.approx((max(f["rounds"]) - min(f["rounds"])) / f["median"])

    # Every ratio the run printed is the one the deciding function gives for its figures.
    served = {(e["setup"], e["concurrency"]): e for e in report["served"]}
    assert len(report["ratios"]) == 9 + 6
    for ratio in report["ratios"]:
        entry = served[ratio["setup"], ratio["concurrency"]]
        of_ceiling = ratio["of"] == "ceiling"
        base = (
            report["ceilings"][entry["backend"]]
            if of_ceiling
            else served[SETUPS[0], ratio["concurrency"]]["throughput"]
        )
        refused = bench.why_no_ratio(
            figure("served", "req/s", *entry["throughput"]["rounds"]),
            figure("base", base["unit"], *base["rounds"]),
            base_is_ceiling=of_ceiling,
        )
        assert (ratio["cannot"] is None) == (refused is None), ratio
        assert (ratio["value"] is None) == (refused is not None), ratio
        [said] = [
            line.split(": ", 1)[1]
            for line in out.splitlines()
            if line.startswith(f"   {ratio['setup']}, {bench.clients(ratio['concurrency'])}: ")
            and ("its ceiling" in line) == of_ceiling
        ]
        if refused:
            assert said.startswith("cannot "), said
        else:
            assert re.fullmatch(r"\d+% of its ceiling|\d+\.\dx naive", said), said

    refusals = sum(ratio["cannot"] is not None for ratio in report["ratios"])
    assert (f"{refusals} of 15 ratios withheld" in out) == (refusals > 0), out

    from matplotlib import image

    pixels = image.imread(tmp_path / "serving.png")
    assert pixels.shape[0] > 300 and pixels.shape[1] > 600 and pixels.shape[2] == 4
    drawn = pixels[..., 3] > 0  # a transparent background: what is drawn is opaque
    assert 0.01 < drawn.mean() < 0.5
