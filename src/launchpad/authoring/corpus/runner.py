"""Run a module's answer corpus the way a learner works: the exercise notebook in one kernel,
in a scratch clone of the repository with the workspace at its default place.

The kernel runs the notebook's cells in order, answer cells as generated (stubs: what a learner
has before answering). At `qK.check()`, each of question K's cases runs from the same starting
point: the case's code in place of the answer cell(s), then the check cell, whose verdict is
read as data. Between cases the learner's names and the workspace's files are put back, so no
case leans on another's leftovers. Then the solution notebook's own answer runs, so the later
questions build on a correct state (the set-up they need is shared, never repeated per case).
"""

from __future__ import annotations

import ast
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from launchpad.authoring.corpus.cases import Case, load_module
from launchpad.authoring.corpus.clone import WorkspaceSnapshot, kernel_env, scratch_clone
from launchpad.authoring.corpus.kernel import KernelDied, KernelSession, TimedOut
from launchpad.authoring.corpus.plan import ANSWER, CHECK, PLAIN, Plan, read_plan, solution_source
from launchpad.authoring.corpus.results import CRASHED, TIMEOUT, CaseResult, ModuleResult
from launchpad.authoring.execute import QUIET_ENV
from launchpad.containers import engine as engines
from launchpad.containers import learner_image
from launchpad.paths import REPO_ROOT

Log = Callable[[str], None]
PRELUDE = """\
from launchpad.authoring.corpus.in_kernel import CorpusProbe as _CorpusProbe
_corpus = _CorpusProbe(get_ipython().user_ns)
del _CorpusProbe"""
HOUSEKEEPING_TIMEOUT = 60.0
CLONE_NAME = "mlops-launchpad"  # the folder a learner's `git clone` makes


def default_corpus(repo: Path = REPO_ROOT) -> Path:
    return repo / "tests" / "corpus"


def run_corpus(
    modules: list[str], repo: Path = REPO_ROOT, corpus: Path | None = None, log: Log | None = None
) -> list[ModuleResult]:
    return [run_module(m, repo, corpus, log) for m in modules]


def run_module(
    module: str, repo: Path = REPO_ROOT, corpus: Path | None = None, log: Log | None = None
) -> ModuleResult:
    """Every case of module `module`, in its own scratch clone and one kernel."""
    started = time.monotonic()
    cases = load_module(corpus or default_corpus(repo), module)
    with tempfile.TemporaryDirectory(prefix=f"launchpad-corpus-{module}-") as tmp:
        clone = scratch_clone(repo, Path(tmp) / CLONE_NAME)
        _earlier_modules_done(clone, module)
        plan = read_plan(clone, module)
        for case in (c for question in cases.values() for c in question):
            plan.validate(case)
        session = KernelSession(clone / "exercises", kernel_env(clone, QUIET_ENV), Path(tmp))
        session.start()
        try:
            result = _walk(plan, cases, session, clone / "workspace", log or (lambda _: None))
        finally:
            session.stop()
    # The clone's workspace had an image tag of its own (learner_image.OWN_TAG_VAR): with the
    # clone gone, its image goes too. Its build stages may serve the next module's builds: they
    # go at the end of the run (`sweep_images`, or the test harness's own sweep).
    if found := engines.find():  # never starts an engine to do it
        learner_image.remove_orphans(found)
    result.seconds = time.monotonic() - started
    return result


def sweep_images() -> None:
    """After the last module: the build stages and untagged images the clones' images left."""
    if found := engines.find():
        learner_image.sweep(found)


def _earlier_modules_done(clone: Path, module: str) -> None:
    """The workspace as a learner has it on reaching `module`: the earlier modules' files, as
    the course itself fills them in for a learner who starts later (`ensure_project`)."""
    from launchpad.authoring.reference import ensure_project
    from launchpad.questions import module_ids

    earlier = tuple(m for m in module_ids() if m < module)
    if earlier:
        workspace = clone / "workspace"
        workspace.mkdir(exist_ok=True)
        ensure_project(workspace, earlier)


def _walk(
    plan: Plan, cases: dict[int, list[Case]], session: KernelSession, workspace: Path, log: Log
) -> ModuleResult:
    result = ModuleResult(plan.module)
    session.state(PRELUDE)
    last = max(cases, default=0)
    for cell in plan.cells:
        if cell.kind in (PLAIN, ANSWER):
            session.state(cell.source)
            continue
        assert cell.kind == CHECK
        question = cell.questions[0]
        if question in cases:
            result.results += _question(plan, cases[question], cell.source, session, workspace, log)
        for answer in plan.answer_cells(question):
            session.state(solution_source(answer))
        if question >= last:
            break
    return result


def _question(
    plan: Plan,
    cases: list[Case],
    check: str,
    session: KernelSession,
    workspace: Path,
    log: Log,
) -> list[CaseResult]:
    before = WorkspaceSnapshot.take(workspace)
    session.execute("_corpus.snapshot()", HOUSEKEEPING_TIMEOUT)
    results = []
    for case in cases:
        outcome = _case(plan, case, check, session, workspace)
        results.append(outcome)
        mark = "ok  " if outcome.as_expected else "FAIL"
        log(f"{mark} {outcome.seconds:5.1f} s  {outcome.describe()}")
        changed = before.restore()
        if changed:  # a case rewrote a large course artifact: the cases after it are suspect
            log(f"     {case.name} changed {changed}, which cannot be put back")
        if outcome.status in (CRASHED, TIMEOUT):
            session.restart()  # replays the cells that built the state, never a case
            session.execute("_corpus.snapshot()", HOUSEKEEPING_TIMEOUT)
        else:
            session.execute("_corpus.restore()", HOUSEKEEPING_TIMEOUT)
    return results


def _case(
    plan: Plan, case: Case, check: str, session: KernelSession, workspace: Path
) -> CaseResult:
    started = time.monotonic()
    deadline = started + case.timeout

    def left() -> float:
        return max(deadline - time.monotonic(), 0.1)

    cell_error, silence = "", 0.0
    try:
        for relative, content in case.files.items():
            target = workspace / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            target.write_text(content)
        for source in plan.case_sources(case):
            cell_error = cell_error or session.execute(source, left()).error
        run = session.execute(f"_corpus.begin()\n{check}", left(), {"verdict": "_corpus.verdict()"})
        silence = run.longest_silence
        status, message = _verdict(run.expressions.get("verdict", ""))
        if run.error:
            status, message = "none", f"the check cell raised {run.error}"
    except TimedOut as error:
        status, message = TIMEOUT, f"{error} (the case's time limit is {case.timeout:g} s)"
    except KernelDied as error:
        status, message = CRASHED, str(error)
    return CaseResult(case, status, message, cell_error, time.monotonic() - started, silence)


def _verdict(text: str) -> tuple[str, str]:
    try:
        verdict = json.loads(ast.literal_eval(text))
        return verdict["status"], verdict["message"]
    except (ValueError, SyntaxError, KeyError, TypeError):
        return "none", f"no verdict could be read: {text[:300]}"
