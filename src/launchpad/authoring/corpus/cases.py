"""The answer corpus on disk: `tests/corpus/mNN/qK.yml`, one file per question, beside the
question file it proves (`launchpad/questions/mNN/qK_slug.py`).

    timeout: 120            # optional: seconds per case (the default is DEFAULT_TIMEOUT)
    cases:
      - id: median-with-statistics      # unique in the file
        verdict: right                  # right: the check must say "Correct" (`feedback`,
                                        # if given, is a phrase its praise must contain)
        code: |                         # replaces the question's answer cell
          def p50_ms(fn, text, runs=20): ...
      - id: mean-not-median
        verdict: wrong                  # wrong: "Not yet" (never "Not attempted": it was),
                                        # with this phrase in the message
        feedback: "that is the mean"
        feedback_not: "seconds"         # optional: a phrase it must not contain
        code: |
          ...
        known_wrong: "issue 18: ..."    # the course gets it wrong today (reported apart)

What replaces the answer, one of:
- `code`: the whole answer cell; for a `%%writefile` cell, the file's content (the cell's own
  `%%writefile` line is kept). A list when the question has several answer cells, in order.
- `block`: only the question's `### BEGIN SOLUTION qK` block(s) of a cell shared with other
  questions (api/main.py answers four); earlier questions' blocks are their solution, later
  ones their stub. A list when the question has several blocks, in order; `null` in the list
  keeps that block as the solution has it (a case about the other block's mistake).
- `files`: {workspace-relative path: content} written before the code runs (alone, or with
  `code`/`block`).

A message that calls itself a bug in the course never counts as a right verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from launchpad.yamlfile import StrictLoader

DEFAULT_TIMEOUT = 120.0
RIGHT, WRONG = "right", "wrong"
CASE_FILE = re.compile(r"q(\d+)\.yml")
MODULE_DIR = re.compile(r"m(\d\d)")
CASE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


class CorpusError(ValueError):
    """A case file is malformed, or does not fit the exercise notebook it is run in."""


@dataclass(frozen=True)
class Case:
    module: str
    question: int
    id: str
    verdict: str  # RIGHT or WRONG
    code: tuple[str, ...] = ()
    block: tuple[str | None, ...] = ()  # None: that block as the solution has it
    files: dict[str, str] = field(default_factory=dict)
    feedback: str = ""  # a phrase the check's message must contain
    feedback_not: str = ""  # a phrase it must not contain (a message that misreads the mistake)
    known_wrong: str = ""  # why the course gets this case wrong today ("issue 18: ...")
    timeout: float = DEFAULT_TIMEOUT

    @property
    def name(self) -> str:
        return f"m{self.module}/q{self.question}/{self.id}"


# What a case file may say: the fields of a Case, and `note` (free text: why the case is here).
KEYS = {f.name for f in fields(Case)} - {"module", "question"} | {"note"}


def load_question(path: Path) -> list[Case]:
    """The cases of one `mNN/qK.yml` file, validated."""
    module, question = _where(path)
    try:
        data = yaml.load(path.read_text(), Loader=StrictLoader)
    except yaml.YAMLError as error:
        raise CorpusError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise CorpusError(f"{path}: expected a mapping with a `cases:` list")
    unknown = set(data) - {"cases", "timeout"}
    if unknown:
        raise CorpusError(f"{path}: unknown top-level keys {sorted(unknown)}")
    timeout = float(data.get("timeout", DEFAULT_TIMEOUT))
    cases = [_case(path, module, question, raw, timeout) for raw in data["cases"]]
    ids = [c.id for c in cases]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise CorpusError(f"{path}: case ids must be unique, these repeat: {twice}")
    return cases


def load_module(corpus: Path, module: str) -> dict[int, list[Case]]:
    """{question number: its cases} for module `module`, from `corpus/mNN/`."""
    folder = corpus / f"m{module}"
    if not folder.is_dir():
        raise CorpusError(f"no corpus for module {module}: {folder} does not exist")
    found = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".yml":
            cases = load_question(path)
            found[_where(path)[1]] = cases
    return dict(sorted(found.items()))


def corpus_modules(corpus: Path) -> list[str]:
    """The modules that have a corpus folder, in course order."""
    found = (MODULE_DIR.fullmatch(p.name) for p in corpus.iterdir() if p.is_dir())
    return sorted(m[1] for m in found if m)


def _where(path: Path) -> tuple[str, int]:
    module, question = MODULE_DIR.fullmatch(path.parent.name), CASE_FILE.fullmatch(path.name)
    if not (module and question):
        raise CorpusError(f"{path}: case files are named mNN/qK.yml")
    return module[1], int(question[1])


def _texts(value: object, where: str, key: str, keep: bool = False) -> tuple[str | None, ...]:
    items = [value] if isinstance(value, str) else value
    allowed = (str, type(None)) if keep else str
    if not isinstance(items, list) or not all(isinstance(i, allowed) for i in items):
        more = " (null: the solution's own)" if keep else ""
        raise CorpusError(f"{where}: `{key}` is a string, or a list of strings{more}")
    if all(i is None for i in items):
        raise CorpusError(f"{where}: `{key}` replaces nothing: every entry is null")
    return tuple(items)


def _case(path: Path, module: str, question: int, raw: object, timeout: float) -> Case:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise CorpusError(f"{path}: each case is a mapping with an `id`")
    where = f"{path}, case {raw['id']!r}"
    if not CASE_ID.fullmatch(raw["id"]):
        raise CorpusError(f"{where}: ids are lower-case words joined by hyphens")
    unknown = set(raw) - KEYS
    if unknown:
        raise CorpusError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(KEYS)})")
    verdict = raw.get("verdict")
    if verdict not in (RIGHT, WRONG):
        raise CorpusError(f"{where}: `verdict` is {RIGHT!r} or {WRONG!r}, not {verdict!r}")
    feedback = raw.get("feedback", "")
    if verdict == WRONG and not (isinstance(feedback, str) and feedback.strip()):
        raise CorpusError(f"{where}: a wrong case names the phrase its feedback must contain")
    if "code" in raw and "block" in raw:
        raise CorpusError(f"{where}: give `code` (the whole cell) or `block`, not both")
    files = raw.get("files", {})
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise CorpusError(f"{where}: `files` maps workspace-relative paths to contents")
    if any(Path(k).is_absolute() or ".." in Path(k).parts for k in files):
        raise CorpusError(f"{where}: `files` paths stay inside the workspace")
    if not ({"code", "block"} & set(raw) or files):
        raise CorpusError(f"{where}: give the answer as `code`, `block` or `files`")
    known_wrong = raw.get("known_wrong", "")
    if known_wrong and not str(known_wrong).startswith("issue "):
        raise CorpusError(f"{where}: `known_wrong` names its issue: 'issue 18: what is wrong'")
    return Case(
        module=module,
        question=question,
        id=raw["id"],
        verdict=verdict,
        code=_texts(raw["code"], where, "code") if "code" in raw else (),
        block=_texts(raw["block"], where, "block", keep=True) if "block" in raw else (),
        files=dict(files),
        feedback=feedback,
        feedback_not=str(raw.get("feedback_not", "")),
        known_wrong=str(known_wrong),
        timeout=float(raw.get("timeout", timeout)),
    )
