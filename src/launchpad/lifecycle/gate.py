"""The quality gate: what a candidate model must pass before it may serve.

A candidate is refused unless every check passes:
- the behavioural suites (`behaviour.py`), each held to a pass rate;
- accuracy on a fixed sample of each evaluation set, above a floor;
- against the current champion, on the same sample: no set worse by more than MAX_REGRESSION.

It runs the candidate with the service's own PyTorch backend, so what passes is what serves.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from launchpad.lifecycle.behaviour import SUITES
from launchpad.model.data import Example
from launchpad.model.onnx_export import accuracy, predict_all

# --8<-- [start:thresholds]
PASS_RATES = {"minimum functionality": 0.9, "invariance": 1.0, "directional": 0.9}
ACCURACY_FLOORS = {"movies": 0.82, "amazon": 0.72, "tweets": 0.65, "nyt": 0.70}
# Accuracy a set may lose against the champion. Both models answer the same 300 texts, so only
# the texts on which they disagree move the difference (one text is 0.33 points); a tolerance
# of a few texts' worth keeps the gate from refusing an equal model over a borderline text or
# two, while a real regression (the praise-trained model loses 16 points) is far beyond it.
MAX_REGRESSION = 0.03
SAMPLE_PER_SET = 300
ACCURACY_METRIC = "gate_accuracy_"  # + the set's name, in the registry's records
# --8<-- [end:thresholds]
# How long the gate's measuring takes (model, suites, the sample) on a 2-core machine: measured
# here, 45 s of CPU on two threads (150 s of wall time on a machine shared with a dozen jobs).
GATE_TIME = "30 s"


@cache
def _evaluation_sets() -> dict[str, list[Example]]:
    from launchpad.model.build import split
    from launchpad.model.data import load_ratings

    return split(load_ratings())[1]


@cache
def gate_sample() -> dict[str, list[Example]]:
    """The same texts every time: SAMPLE_PER_SET drawn from each evaluation set."""
    sets = _evaluation_sets()
    return {name: random.Random(name).sample(rows, SAMPLE_PER_SET) for name, rows in sets.items()}


def feedback(
    domains: tuple[str, ...] = ("movies", "amazon"), per_domain: int = 300
) -> list[Example]:
    """Labelled texts the gate never sees, from each of `domains`: the late labels a
    retraining job learns from (here, film reviews and the product reviews now arriving)."""
    sets = _evaluation_sets()
    rows = []
    for domain in domains:
        held = {e.id for e in gate_sample()[domain]}
        fresh = [e for e in sets[domain] if e.id not in held]
        rows += random.Random(f"feedback-{domain}").sample(fresh, min(per_domain, len(fresh)))
    return rows


def sample_fingerprint() -> str:
    """Names the gate's sample: accuracies measured on the same fingerprint are comparable."""
    ids = json.dumps({name: [e.id for e in rows] for name, rows in gate_sample().items()})
    return hashlib.sha256(ids.encode()).hexdigest()[:12]


@dataclass
class Check:
    name: str
    passed: bool
    measured: str
    required: str
    details: list[str] = field(default_factory=list)


@dataclass
class GateReport:
    candidate: str
    checks: list[Check]
    accuracy: dict[str, float]
    champion: str | None = None

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def summary(self) -> str:
        against = f" against champion {self.champion}" if self.champion else ""
        lines = [
            f"Quality gate for {self.candidate}{against}: "
            + ("PASSED" if self.passed else "REFUSED")
        ]
        for check in self.checks:
            mark = "pass" if check.passed else "FAIL"
            lines.append(
                f"  {mark}  {check.name:<32} {check.measured:>8}  (needs {check.required})"
            )
            lines += [f"          {detail}" for detail in check.details[:3]]
        return "\n".join(lines)

    def metrics(self) -> dict[str, float]:
        """What the registry records with the version (MLflow metric names)."""
        values = {f"{ACCURACY_METRIC}{name}": value for name, value in self.accuracy.items()}
        values["gate_passed"] = float(self.passed)
        return values


def measure_accuracy(model) -> dict[str, float]:
    return {
        name: accuracy(predict_all(model, [e.text for e in rows]), rows)
        for name, rows in gate_sample().items()
    }


def load(path: Path, threads: int = 2):
    from sentiment_api.inference import SentimentModel

    return SentimentModel(path, threads=threads)


# The slow part of the gate, by the content of the model's files and the thread count: the same
# files always give the same answers, and a rehearsal run again, or a champion gated again, need
# not wait for them twice in one process.
_MEASURED: dict[str, tuple[tuple[Check, ...], dict[str, float]]] = {}


def _suites_and_accuracy(candidate: Path, threads: int) -> tuple[list[Check], dict[str, float]]:
    """The behavioural suites' checks and the accuracy on each set of the model in `candidate`."""
    from launchpad.checks.progress import step
    from launchpad.model.build import file_inventory

    key = json.dumps([file_inventory(candidate), threads], sort_keys=True)
    if key not in _MEASURED:
        texts = sum(len(rows) for rows in gate_sample().values())
        with step(f"Quality gate: behavioural suites, then accuracy on {texts} texts", GATE_TIME):
            model = load(candidate, threads)
            checks = []
            for suite in SUITES:
                result = suite(model)
                need = PASS_RATES[result.name]
                checks.append(
                    Check(
                        result.name,
                        result.rate >= need,
                        f"{result.passed}/{result.total}",
                        f"≥ {need:.0%}",
                        result.failures,
                    )
                )
            _MEASURED[key] = (tuple(checks), measure_accuracy(model))
    checks, measured = _MEASURED[key]
    return list(checks), dict(measured)


def run_gate(
    candidate: Path,
    champion_accuracy: dict[str, float] | None = None,
    names: tuple[str, str | None] = ("candidate", None),
    threads: int = 2,
) -> GateReport:
    """Every check on the model in `candidate`. `champion_accuracy` (the champion's
    `measure_accuracy`) adds the no-regression checks."""
    checks, measured = _suites_and_accuracy(candidate, threads)
    for name, value in measured.items():
        floor = ACCURACY_FLOORS[name]
        checks.append(
            Check(f"accuracy on {name}", value >= floor, f"{value:.1%}", f"≥ {floor:.0%}")
        )
    if champion_accuracy:
        for name, value in measured.items():
            drop = champion_accuracy[name] - value
            checks.append(
                Check(
                    f"no regression on {name}",
                    drop <= MAX_REGRESSION + 1e-9,
                    f"{-drop:+.1%}",
                    f"≥ {-MAX_REGRESSION:+.0%}",
                )
            )
    candidate_name, champion_name = names
    return GateReport(candidate_name, checks, measured, champion_name)
