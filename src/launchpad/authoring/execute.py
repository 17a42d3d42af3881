"""Execute notebooks the way nbval will, and store them normalised.

Lessons and solutions are committed executed. Re-executing them here (rather than saving from a
JupyterLab session) keeps the stored outputs reproducible: fresh kernel, the notebook's own folder
as working directory, a throw-away workspace, and metadata stripped of timings and widget state.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from launchpad.checks.progress import HEARTBEAT_LINE
from launchpad.paths import WORKSPACE_VAR

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
QUIET_ENV = {
    # Library chatter that would otherwise land in stored outputs.
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "TQDM_DISABLE": "1",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "1",  # Evidently's usage telemetry
    # Base images come from this machine (the course's copy), never pulled from Docker Hub:
    # executed notebooks stay offline, and say the same thing on every machine.
    "LAUNCHPAD_NO_PULL": "1",
}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# ipywidgets' own text for a widget is its constructor call, `VBox(children=(HBox(...` for a
# whole screen: a page without a kernel shows this sentence instead.
WIDGET_REPR = re.compile(r"^[A-Z]\w*\((children|value|description|options)=")
WIDGET_TEXT = "An interactive widget: open this notebook in JupyterLab (make lab) to use it."


@contextmanager
def course_environment(workspace: Path | None = None):
    """Environment variables for a kernel: quiet libraries and a temporary workspace."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="launchpad-ws-") as tmp:
        os.environ.update(QUIET_ENV)
        os.environ[WORKSPACE_VAR] = str(workspace or tmp)
        try:
            yield Path(os.environ[WORKSPACE_VAR])
        finally:
            os.environ.clear()
            os.environ.update(saved)


def execute(
    notebook: nbformat.NotebookNode, cwd: Path, allow_errors: bool = False, timeout: int = 600
) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel started in `cwd`."""
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        allow_errors=allow_errors,
        store_widget_state=False,
    )
    client.execute()
    return notebook


def output_text(output: nbformat.NotebookNode) -> str:
    """What an output shows as text: a stream's text, or a result's plain-text form."""
    if output.output_type == "stream":
        return output.text
    return output.get("data", {}).get("text/plain", "")


def normalise(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep diffs readable: sequential execution counts, no timings, one kernelspec; and a
    sentence, not a constructor call, where a widget has no kernel to draw it."""
    count = 0
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type == "code":
            if cell.source.strip():
                count += 1
                cell.execution_count = count
            else:
                cell.execution_count = None
            cell.outputs = _without_heartbeats(cell.outputs)
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = cell.execution_count
                output.get("metadata", {}).pop("execution", None)
                data = output.get("data", {})
                if WIDGET_VIEW in data and WIDGET_REPR.match(data.get("text/plain", "")):
                    data["text/plain"] = WIDGET_TEXT
    notebook.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        **(
            {"launchpad": notebook.metadata["launchpad"]}
            if "launchpad" in notebook.metadata
            else {}
        ),
    }
    return notebook


def _without_heartbeats(outputs: list) -> list:
    """A slow check's "still at it" lines left out and its stream outputs joined where they
    follow each other (nbval joins streams, and its sanitizer stands the times in for N)."""
    kept: list = []
    for output in outputs:
        if output.output_type == "stream":
            output.text = HEARTBEAT_LINE.sub("", output.text)
            if not output.text:
                continue
            if kept and kept[-1].output_type == "stream" and kept[-1].name == output.name:
                kept[-1].text += output.text
                continue
        kept.append(output)
    return kept


def execute_in_place(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    with course_environment():
        execute(notebook, cwd=path.parent.resolve())
    path.write_text(nbformat.writes(normalise(notebook)) + "\n")
