"""Drift with a maintained library: Evidently's data-drift report beside the course's own PSI
(module 07).

`launchpad.drift` computes the population stability index by hand, to show what it is. At work
you would reach for a library that computes it (and a dozen other tests) over every column of a
table and draws a report for people: Evidently is the one most courses teach. This module runs
its data-drift preset with the PSI method on every column, so that its numbers can be read next
to the course's, and saves its HTML report into the workspace.

Evidently's own service and collector report usage to its vendor unless the environment variable
`DO_NOT_TRACK` is set (to any value; older releases read `EVIDENTLY_DISABLE_TELEMETRY=1`). A
report does not send anything itself, but the course never phones home: both are set here,
before Evidently is imported.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from launchpad import drift
from launchpad.paths import workspace_dir

TELEMETRY_OFF = {"DO_NOT_TRACK": "1", "EVIDENTLY_DISABLE_TELEMETRY": "1"}
for _name, _value in TELEMETRY_OFF.items():
    os.environ.setdefault(_name, _value)

REPORTS = "reports"  # the workspace folder the HTML reports go to


def features(texts: Sequence[str], labels: Sequence[str], vocabulary: set[str]):
    """The table a drift library compares: one row per text, a column per feature that
    `launchpad.drift.compare` bins (raw values here: the library bins them its own way)."""
    import pandas as pd

    if len(texts) != len(labels):
        raise ValueError("each window needs one predicted label per text")
    return pd.DataFrame(
        {
            drift.LENGTH: [len(drift.words(t)) for t in texts],
            drift.UNKNOWN_WORDS: [drift.oov_share(t, vocabulary) for t in texts],
            drift.LABEL: list(labels),
        }
    )


def report_path(name: str) -> Path:
    return workspace_dir() / REPORTS / f"{name}.html"


def psi_scores(reference, current, name: str | None = None, threshold: float = drift.PSI_DRIFT):
    """Evidently's PSI for each column of two pandas DataFrames (reference, current), as
    {column: PSI}. Numeric columns are numerical, the others categorical. A column drifted in
    the report when its PSI reaches `threshold` (the course's 0.25 unless told). With a `name`,
    the HTML report is saved as `report_path(name)`."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    if list(reference.columns) != list(current.columns):
        raise ValueError("both windows need the same columns")
    numeric = set(reference.select_dtypes("number").columns)
    definition = DataDefinition(
        numerical_columns=[c for c in reference.columns if c in numeric],
        categorical_columns=[c for c in reference.columns if c not in numeric],
    )
    preset = DataDriftPreset(method="psi", threshold=threshold)
    snapshot = Report([preset]).run(
        Dataset.from_pandas(current, data_definition=definition),
        Dataset.from_pandas(reference, data_definition=definition),
    )
    if name is not None:
        path = report_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        snapshot.save_html(str(path))
    # One ValueDrift metric per column (and a count of drifted columns, without a column).
    scores = {
        metric["config"]["column"]: float(metric["value"])
        for metric in snapshot.dict()["metrics"]
        if metric["config"].get("column") is not None
    }
    return {column: scores[column] for column in reference.columns}
