"""workspace/predict.py: one JSON line per text, with its label, score and latency."""

import functools
import json
import subprocess
import sys
import time

from launchpad.checks import Answers, Incorrect, NotAttempted, expect, question
from launchpad.checks.texts import NEGATIVE_TEXT, POSITIVE_TEXT
from launchpad.paths import workspace_dir


@question(
    files=["predict.py"],
    hints=[
        "In main(): load the pipeline once with load_pipeline(), then loop over the texts; time "
        "each call with time.perf_counter() before and after.",
        "Print one line per text: print(json.dumps({'text': t, 'label': ..., 'score': ..., "
        "'latency_ms': ...})).",
    ],
)
def script_prints_json_lines(answers: Answers):
    script = workspace_dir() / "predict.py"
    if not script.exists():
        raise NotAttempted(
            f"There is no {script.name} in your workspace yet: run the %%writefile cell."
        )
    from launchpad.checks.progress import step

    try:
        with step("Running predict.py on two texts", usually="10 s on a 2-core laptop"):
            run = subprocess.run(
                [sys.executable, str(script), POSITIVE_TEXT, NEGATIVE_TEXT],
                capture_output=True,
                text=True,
                timeout=300,
                cwd=workspace_dir(),
            )
    except subprocess.TimeoutExpired as error:
        raise Incorrect(
            "predict.py ran for 5 minutes without finishing: is it waiting for "
            "input, or looping forever?"
        ) from error
    if "NotImplementedError" in run.stderr:
        raise NotAttempted("predict.py still raises NotImplementedError.")
    last_error = run.stderr.strip().splitlines()[-1:] or ["no error output"]
    expect(run.returncode == 0, f"predict.py exited with code {run.returncode}: {last_error[0]}")
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    expect(
        len(lines) == 2,
        f"For two texts predict.py should print two lines, it printed {len(lines)}.",
    )
    try:
        rows = [json.loads(line) for line in lines]
    except json.JSONDecodeError as error:
        raise Incorrect(f"Each line should be one JSON object; got {lines[0][:80]!r}.") from error
    for row in rows:
        expect(
            isinstance(row, dict) and {"label", "score", "latency_ms"} <= set(row),
            f"Each line needs label, score and latency_ms; got {row}.",
        )
        expect(
            isinstance(row["latency_ms"], (int, float)) and row["latency_ms"] > 0,
            "latency_ms should be a positive number of milliseconds.",
        )
    _expect_milliseconds([r["latency_ms"] for r in rows])
    expect(
        [r["label"] for r in rows] == ["POSITIVE", "NEGATIVE"],
        f"predict.py labelled two obvious sentences {[r['label'] for r in rows]}.",
    )
    return "Your first model artifact in the workspace: it becomes a service in module 02."


def _expect_milliseconds(latencies: list[float]) -> None:
    """Refuse latencies that can only be seconds: all below 1 ms, and under half of what the
    model's fastest call takes here (a first, cold call in seconds can be 0.9). The model is
    timed only for such suspicious values, so right answers pay nothing."""
    if max(latencies) >= 1:
        return
    model_ms = _fastest_model_call_ms()
    expect(
        max(latencies) * 2 > model_ms,
        f"latency_ms is {', '.join(f'{v:.4g}' for v in latencies)} for the two texts, but one "
        f"model call takes about {model_ms:.0f} ms on this machine (the check timed it): the "
        "unit looks like seconds (or the timer does not wrap the model call). A latency in the "
        "wrong unit makes every dashboard and alert built on it wrong by a factor of 1000.",
    )


@functools.cache
def _fastest_model_call_ms() -> float:
    """The fastest of a few calls of the model predict.py loads (after a warm-up call)."""
    from launchpad.model import load_pipeline

    classify = load_pipeline()
    classify(POSITIVE_TEXT)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        classify(POSITIVE_TEXT)
        timings.append((time.perf_counter() - start) * 1000)
    return min(timings)
