"""Module 08's checks: they pass the reference answers and name realistic mistakes.

The solution notebook self-tests each check on wrong answers too; these cases add the edges
(placeholders, stubs, stores left half-done) and run without a notebook kernel. Questions 1 and
5 read real MLflow stores in a temporary workspace; question 3 runs tests against the course
model. Question 5's stores are made with the registry's real promotion code and a canned gate
(the real gate is tested in tests/lifecycle/ and runs in the solution notebook).
"""

from __future__ import annotations

import contextlib
import math
import shutil
from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient
from support.questions import outcome

from launchpad.lifecycle import candidates
from launchpad.lifecycle import registry as registry_module
from launchpad.lifecycle.gate import ACCURACY_FLOORS, Check, GateReport
from launchpad.lifecycle.registry import MODEL_NAME, PromotionRefused, Registry
from launchpad.model.build import read_manifest
from launchpad.questions import m08
from launchpad.questions.m08.materials import (
    BASES,
    BOOKKEEPING,
    COMPLAINT,
    FLOORS,
    GIT_COMMIT,
    MAX_REGRESSION,
    RUNS,
)
from launchpad.questions.m08.q3_directional_test import _FAKES, _course_model, _Fake
from launchpad.questions.m08.q4_promotion_decision import PROMOTION_CASES

# ---- Question 1 ------------------------------------------------------------------------------


def open_store(workspace: Path) -> tuple[MlflowClient, str, str]:
    """The set-up cell of question 1: the store, its experiment and the registered model."""
    store = workspace / "mlflow"
    store.mkdir(exist_ok=True)
    uri = f"sqlite:///{store / 'mlflow.db'}"
    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name(MODEL_NAME)
    if experiment is None:
        experiment_id = client.create_experiment(
            MODEL_NAME, artifact_location=(store / "artifacts").as_uri()
        )
    else:
        experiment_id = experiment.experiment_id
    if not client.search_registered_models(f"name = '{MODEL_NAME}'"):
        client.create_registered_model(MODEL_NAME)
    return client, uri, experiment_id


def register_by_hand(
    workspace: Path,
    model_dir: Path,
    *,
    param_prefix: str | None = "recipe.",
    data: bool = True,
    commit: bool = True,
    metric_prefix: str | None = "accuracy_",
    artifact_path: str | None = "model",
    finish: bool = True,
    source: str | None = None,
    linked: bool = True,
) -> int:
    """What a learner's register_course_model does, with one part left out or done wrong."""
    client, _, experiment_id = open_store(workspace)
    manifest = read_manifest(model_dir)
    run = client.create_run(experiment_id)
    run_id = run.info.run_id
    if param_prefix is not None:
        for key, value in manifest["recipe"].items():
            client.log_param(run_id, f"{param_prefix}{key}", value)
    if data:
        client.log_param(run_id, "data_sha256", manifest["data_sha256"])
    if commit:
        client.set_tag(run_id, "git_commit", GIT_COMMIT)
    if metric_prefix is not None:
        for name, scores in manifest["evaluation"].items():
            client.log_metric(run_id, f"{metric_prefix}{name}", scores["accuracy"])
    client.log_artifacts(run_id, str(model_dir), artifact_path)
    if finish:
        client.set_terminated(run_id)
    default = f"{run.info.artifact_uri}/{artifact_path}" if artifact_path else run.info.artifact_uri
    created = client.create_model_version(
        MODEL_NAME, source=source or default, run_id=run_id if linked else None
    )
    return int(created.version)


def test_q1_passes_the_solution_as_learners_see_it(workspace, course_model_dir):
    client, uri, _ = open_store(workspace)
    scope = {
        "mlflow": mlflow,
        "read_manifest": read_manifest,
        "client": client,
        "STORE_URI": uri,
        "GIT_COMMIT": GIT_COMMIT,
        "MODEL_NAME": MODEL_NAME,
        "model_path": course_model_dir,
    }
    before = mlflow.get_tracking_uri()
    try:
        exec(m08.q1.solution_code, scope)
    finally:
        mlflow.set_tracking_uri(before)
    status, message = outcome(m08.q1, version=scope["version"])
    assert status == "correct" and "verify byte for byte" in message, message


def test_q1_placeholder_is_not_attempted_and_a_missing_store_is_named(workspace):
    assert outcome(m08.q1, version=m08.____)[0] == "not_attempted"
    status, message = outcome(m08.q1, version=1)
    assert status == "incorrect" and "There is no MLflow store" in message


@pytest.mark.parametrize(
    "how, says",
    [
        ({"param_prefix": ""}, "name each parameter recipe.<key>"),
        ({"param_prefix": None}, "has no parameter recipe.encoder"),
        ({"data": False}, "no parameter data_sha256"),
        ({"commit": False}, "no tag git_commit"),
        ({"metric_prefix": ""}, "name each metric accuracy_<set>"),
        ({"metric_prefix": None}, "has no metric accuracy_movies"),
        ({"artifact_path": None}, "at the root of the run's artifacts"),
        ({"finish": False}, "still RUNNING"),
        ({"linked": False}, "not linked to a run"),
    ],
    ids=[
        "bare-params",
        "no-params",
        "no-data-hash",
        "no-commit",
        "bare-metrics",
        "no-metrics",
        "artifacts-at-root",
        "run-not-ended",
        "no-run",
    ],
)
def test_q1_names_what_is_missing(workspace, course_model_dir, how, says):
    version = register_by_hand(workspace, course_model_dir, **how)
    status, message = outcome(m08.q1, version=version)
    assert status == "incorrect" and says in message, message


def test_q1_names_a_source_without_the_model_and_a_wrong_version(workspace, course_model_dir):
    store = workspace / "mlflow" / "artifacts"
    version = register_by_hand(workspace, course_model_dir, source=store.as_uri())
    status, message = outcome(m08.q1, version=version)
    assert status == "incorrect" and "does not hold the course model" in message, message
    status, message = outcome(m08.q1, version=version + 5)
    assert status == "incorrect" and f"has no version {version + 5}" in message
    client = MlflowClient(f"sqlite:///{workspace / 'mlflow' / 'mlflow.db'}")
    model_version = client.get_model_version(MODEL_NAME, str(version))
    status, message = outcome(m08.q1, version=model_version)
    assert status == "incorrect" and "the version number (an int)" in message


def test_q1_a_failed_attempt_says_what_it_left_and_how_to_remove_it(workspace, course_model_dir):
    version = register_by_hand(workspace, course_model_dir, param_prefix="")
    status, message = outcome(m08.q1, version=version)
    assert status == "incorrect" and "name each parameter recipe.<key>" in message, message
    removal = f'client.delete_model_version(MODEL_NAME, "{version}")'
    assert "`make registry` lists it" in message and removal in message, message
    client, _, _ = open_store(workspace)
    run_id = client.get_model_version(MODEL_NAME, str(version)).run_id
    assert f'client.delete_run("{run_id}")' in message
    exec(message[message.index(removal) : message.rindex(".)")], {"client": client, **globals()})
    assert (
        "has no versions yet" in Registry(registry_module.sqlite_uri(workspace / "mlflow")).status()
    )
    # A version the registry's verbs made (gated, aliased) is no failed attempt: no removal.
    again = register_by_hand(workspace, course_model_dir, param_prefix="")
    client.set_registered_model_alias(MODEL_NAME, "champion", str(again))
    status, message = outcome(m08.q1, version=again)
    assert status == "incorrect" and "delete_model_version" not in message, message


def test_the_corpus_runner_puts_a_store_back_and_the_next_case_can_write_to_it(
    workspace, monkeypatch
):
    """Between two q1 cases the runner writes the store's file back as it was (a new file) and
    the kernel's probe restores the names; the next case's first write went to MLflow's pooled
    connection to the replaced file: "attempt to write a readonly database"."""
    from launchpad.authoring.corpus import in_kernel
    from launchpad.authoring.corpus.clone import WorkspaceSnapshot

    monkeypatch.setattr("launchpad.checks.show", lambda feedback: None)
    client, uri, _ = open_store(workspace)  # the set-up cell
    probe = in_kernel.CorpusProbe({"client": client})
    before = WorkspaceSnapshot.take(workspace)
    probe.snapshot()
    for case in ("first", "second"):
        client.create_registered_model(f"attempt-{case}")  # the case writes to the store
        assert before.restore() == []  # the store is small enough to be put back
        probe.restore()
        assert [m.name for m in client.search_registered_models()] == [MODEL_NAME]


# ---- Question 2 ------------------------------------------------------------------------------

CAUSES = {
    "run-b": "data_sha256",
    "run-c": "recipe.seed",
    "run-d": "lib.torch",
    "run-e": None,
    "run-f": "git_commit",
}


def test_q2_passes_the_reference_and_the_answer_matches_the_records():
    assert outcome(m08.q2, cause=dict(CAUSES))[0] == "correct"
    reference = RUNS["run-a"]
    for name, cause in CAUSES.items():
        deciding = {
            key
            for key, value in RUNS[name].items()
            if value != reference[key]
            and key not in BOOKKEEPING
            and not key.startswith("accuracy_")
        }
        assert deciding == ({cause} if cause else set()), name


@pytest.mark.parametrize(
    "change, says",
    [
        ({"run-c": "user"}, "records who and when"),
        ({"run-b": "run_id"}, "records who and when"),
        ({"run-b": "accuracy_amazon"}, "is the effect"),
        ({"run-e": "start_time"}, "nothing to explain"),
        ({"run-d": None}, "something that decides the weights differs"),
        ({"run-c": "seed"}, "the records write it recipe.seed"),
        ({"run-f": "recipe.threads"}, "is the same in run-a and run-f"),
        ({"run-f": "code"}, "is not a field of the records"),
    ],
)
def test_q2_names_the_mistake(change, says):
    status, message = outcome(m08.q2, cause={**CAUSES, **change})
    assert status == "incorrect" and says in message, message


def test_q2_wrong_shape_and_placeholder():
    assert outcome(m08.q2, cause=m08.____)[0] == "not_attempted"
    status, message = outcome(m08.q2, cause={"run-b": "data_sha256"})
    assert status == "incorrect" and "one entry for each of run-b" in message
    status, message = outcome(m08.q2, cause=["data_sha256"])
    assert status == "incorrect" and "should be a dict" in message


# ---- Question 3 ------------------------------------------------------------------------------


def p_positive(prediction):
    return prediction.score if prediction.label == "POSITIVE" else 1 - prediction.score


def pairs(model):
    before = model.predict(BASES)
    after = model.predict([base + COMPLAINT for base in BASES])
    return list(zip(before, after, strict=True))


def reference_test(model):
    for base, (b, a) in zip(BASES, pairs(model), strict=True):
        assert p_positive(a) < p_positive(b), f"{base!r} + complaint"


def bare_assert(model):
    for b, a in pairs(model):
        if not p_positive(a) < p_positive(b):
            raise AssertionError  # a bare assert in a notebook (pytest rewrites this module's)


def numbers_only(model):
    for b, a in pairs(model):
        assert p_positive(a) < p_positive(b), f"{p_positive(b):.2f} -> {p_positive(a):.2f}"


def by_score(model):
    for b, a in pairs(model):
        assert a.score < b.score


def by_label(model):
    for _, a in pairs(model):
        assert a.label == "NEGATIVE"


def not_strict(model):
    for b, a in pairs(model):
        assert p_positive(a) <= p_positive(b)


def on_average(model):
    drops = [p_positive(b) - p_positive(a) for b, a in pairs(model)]
    assert sum(drops) / len(drops) > 0


def returns_false(model):
    return all(p_positive(a) < p_positive(b) for b, a in pairs(model))


def fixed_cut_off(model):
    for _, a in pairs(model):
        assert p_positive(a) < 0.5


def typo(model):
    for b, a in pairs(model):
        assert p_positive(a) < p_positive(b.text)


def stub(model):
    raise NotImplementedError("Replace this line with your code.")


def test_q3_passes_the_reference():
    status, message = outcome(
        m08.q3, p_positive=p_positive, test_complaint_lowers_positive=reference_test
    )
    assert status == "correct" and "passes the model retrained on praise" in message, message


@pytest.mark.parametrize(
    "test, says",
    [
        (by_score, "not .score"),
        (by_label, "not labels or fixed cut-offs"),
        (fixed_cut_off, "not labels or fixed cut-offs"),
        (not_strict, "< not <="),
        (on_average, "check every sentence"),
        (returns_false, "fail by raising"),
        (typo, "raised AttributeError"),
        (bare_assert, "with a bare assert"),
        (numbers_only, "does not name that sentence"),
    ],
    ids=[
        "score",
        "label",
        "cut-off",
        "not-strict",
        "average",
        "returns-false",
        "typo",
        "bare-assert",
        "no-sentence",
    ],
)
def test_q3_names_the_mistake(test, says):
    status, message = outcome(m08.q3, p_positive=p_positive, test_complaint_lowers_positive=test)
    assert status == "incorrect" and says in message, message


def test_q3_p_positive_and_stubs():
    status, message = outcome(
        m08.q3, p_positive=lambda p: p.score, test_complaint_lowers_positive=reference_test
    )
    assert status == "incorrect" and "1 - score" in message
    assert outcome(m08.q3, p_positive=p_positive, test_complaint_lowers_positive=stub)[0] == (
        "not_attempted"
    )
    assert outcome(m08.q3, p_positive=m08.____)[0] == "not_attempted"


def test_q3_fakes_are_what_they_claim():
    """The broken models break the way their names say, and the shifted one keeps direction."""
    fakes = {name: _Fake(name, values) for name, values in _FAKES.items()}
    assert all(p_positive(a) == p_positive(b) for b, a in pairs(fakes["ignores the complaint"]))
    assert all(
        p_positive(a) > p_positive(b) for b, a in pairs(fakes["is cheered up by the complaint"])
    )
    lowered = [p_positive(a) < p_positive(b) for b, a in pairs(fakes["fails on one sentence"])]
    assert lowered == [True] * (len(BASES) - 1) + [False]
    course = _course_model()
    shifted = candidates.PriorShifted(course, 3.0)
    for (b, a), (sb, sa) in zip(pairs(course), pairs(shifted), strict=True):
        assert p_positive(sb) > p_positive(b) and p_positive(sa) < p_positive(sb)
        logit = lambda p: math.log(p / (1 - p))  # noqa: E731
        assert math.isclose(logit(p_positive(sa)) - logit(p_positive(a)), 3.0, abs_tol=1e-6)


# ---- Question 4 ------------------------------------------------------------------------------


def _solution(question, name: str):
    """A function of a question's solution, exactly as `qN.solution()` shows it to learners."""
    scope: dict = {}
    exec(question.solution_code, scope)
    return scope[name]


should_promote = _solution(m08.q4, "should_promote")


def rounded(candidate, champion, floors, max_regression):
    """Another right answer: compares in rounded points."""
    if any(round(candidate.get(s, 0) * 100, 6) < round(f * 100, 6) for s, f in floors.items()):
        return False
    return champion is None or all(
        round((champion[s] - candidate[s]) * 100, 6) <= round(max_regression * 100, 6)
        for s in champion
    )


@pytest.mark.parametrize("answer", [should_promote, rounded], ids=["reference", "rounded"])
def test_q4_passes_right_answers(answer):
    status, message = outcome(m08.q4, should_promote=answer)
    assert status == "correct", message


def floors_only(candidate, champion, floors, max_regression):
    return all(candidate.get(s, 0) >= f for s, f in floors.items())


def champion_only(candidate, champion, floors, max_regression):
    if champion is None:
        return True
    return all(champion[s] - candidate.get(s, 0) <= max_regression + 1e-9 for s in champion)


def exact(candidate, champion, floors, max_regression):
    if any(candidate.get(s, 0) < f for s, f in floors.items()):
        return False
    return champion is None or all(champion[s] - candidate[s] <= max_regression for s in champion)


def crashes_without_champion(candidate, champion, floors, max_regression):
    if any(candidate.get(s, 0) < f for s, f in floors.items()):
        return False
    return all(champion[s] - candidate[s] <= max_regression + 1e-9 for s in champion)


def reasons(candidate, champion, floors, max_regression):
    return [s for s, f in floors.items() if candidate.get(s, 0) < f]


@pytest.mark.parametrize(
    "answer, says",
    [
        (floors_only, "more than max_regression"),
        (champion_only, "under their floors"),
        (exact, "0.030000000000000027"),
        (crashes_without_champion, "champion is None"),
        (reasons, "should return True or False"),
    ],
    ids=["floors-only", "champion-only", "exact-floats", "no-champion", "not-a-bool"],
)
def test_q4_names_the_mistake(answer, says):
    status, message = outcome(m08.q4, should_promote=answer)
    assert status == "incorrect" and says in message, message


def test_q4_stub_is_not_attempted():
    def stub(candidate, champion, floors, max_regression):
        raise NotImplementedError

    assert outcome(m08.q4, should_promote=stub)[0] == "not_attempted"


def test_q4_hidden_edges_are_what_they_claim():
    cases = {case: (cand, champ, want) for case, cand, champ, want, _ in PROMOTION_CASES}
    candidate, champion, _ = cases["exactly at the tolerance"]
    assert champion["movies"] - candidate["movies"] > MAX_REGRESSION  # the float trap
    assert all(should_promote(c, ch, FLOORS, MAX_REGRESSION) == w for c, ch, w in cases.values())


# ---- Question 5 ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def candidate_folders(course_model_dir, tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("candidates")
    recalibrated = candidates.with_prior_shift(
        course_model_dir, folder / "recalibrated", 1.0, "recalibrated"
    )
    praise = candidates.with_prior_shift(course_model_dir, folder / "praise", 3.0, "praise")
    return recalibrated, praise


@pytest.fixture
def canned_gate(monkeypatch):
    """The registry's own promote and rollback, with a gate that takes no time: it refuses the
    model with a prior shift of +3 (as the real gate does, see tests/lifecycle/)."""

    def run_gate(candidate, champion_accuracy=None, names=("candidate", None), threads=2):
        passed = read_manifest(candidate).get("prior_shift") != 3.0
        checks = [Check("accuracy on movies", passed, "..", "..")]
        return GateReport(names[0], checks, {name: 0.8 for name in ACCURACY_FLOORS}, names[1])

    monkeypatch.setattr(registry_module, "run_gate", run_gate)
    monkeypatch.setattr(registry_module, "sample_fingerprint", lambda: "canned")


def rehearse(workspace, course, recalibrated, praise, steps: str) -> Registry:
    """Run `steps` (letters: c/r/p register the course, recalibrated or praise-trained model;
    P promotes; B rolls back) in the rehearsal store of `workspace`."""
    registry = Registry(f"sqlite:///{workspace / 'mlflow-rehearsal' / 'mlflow.db'}")
    folders = {"c": course, "r": recalibrated, "p": praise}
    for step in steps:
        if step in folders:
            registry.register(folders[step])
        elif step == "P":
            with contextlib.suppress(PromotionRefused):  # the praise-trained model
                registry.promote()
        elif step == "B":
            registry.rollback()
    return registry


def test_q5_passes_the_whole_rehearsal(workspace, canned_gate, course_model_dir, candidate_folders):
    rehearse(workspace, course_model_dir, *candidate_folders, "cPrPpPB")
    status, message = outcome(m08.q5, serving=1)
    assert status == "correct" and "Version 1 serves again" in message, message
    assert "version 3 was refused by the gate, still the challenger" in message
    status, message = outcome(m08.q5, serving=2)
    assert status == "incorrect" and "resolves to version 1" in message
    assert outcome(m08.q5, serving=m08.____)[0] == "not_attempted"


def test_q5_the_rehearsal_cell_runs_again_in_the_same_process(
    workspace, canned_gate, course_model_dir, candidate_folders
):
    # The cell empties its store each time it runs; MLflow's cached engine of the deleted file
    # made the second run fail with "attempt to write a readonly database".
    for _ in range(2):
        shutil.rmtree(workspace / "mlflow-rehearsal", ignore_errors=True)
        rehearse(workspace, course_model_dir, *candidate_folders, "cPrPpPB")
        status, message = outcome(m08.q5, serving=1)
        assert status == "correct" and "Version 1 serves again" in message, message


def test_q5_without_a_store_or_versions_is_not_attempted(workspace):
    assert outcome(m08.q5, serving=m08.____)[0] == "not_attempted"
    registry = Registry(f"sqlite:///{workspace / 'mlflow-rehearsal' / 'mlflow.db'}")
    assert "no versions yet" in registry.status()  # what the untouched cell prints
    assert outcome(m08.q5, serving=m08.____)[0] == "not_attempted"


@pytest.mark.parametrize(
    "steps, says",
    [
        ("cPrPpP", "still serves: support has forwarded complaints"),
        ("cPrPp", "never went through the gate"),
        ("cPrP", "has no version of PRAISE_TRAINED"),
        ("cPr", "Version 2 (RECALIBRATED) was registered but never went through the gate"),
        ("c", "Version 1 (the course model) was registered but never went through the gate"),
        ("rP", "has no version of the course model"),
    ],
    ids=["no-rollback", "praise-not-gated", "no-praise", "recalibrated-not-promoted", "c", "r"],
)
def test_q5_names_the_missing_step(
    workspace, canned_gate, course_model_dir, candidate_folders, steps, says
):
    rehearse(workspace, course_model_dir, *candidate_folders, steps)
    status, message = outcome(m08.q5, serving=1)
    assert status == "incorrect" and says in message, message


def test_q5_names_aliases_moved_by_hand(
    workspace, canned_gate, course_model_dir, candidate_folders
):
    registry = rehearse(workspace, course_model_dir, *candidate_folders, "cPrPpP")
    client = MlflowClient(registry.uri)
    client.set_registered_model_alias(MODEL_NAME, "champion", "3")
    status, message = outcome(m08.q5, serving=3)
    assert status == "incorrect" and "went around the gate" in message
    client.set_registered_model_alias(MODEL_NAME, "champion", "1")
    status, message = outcome(m08.q5, serving=1)
    assert status == "incorrect" and "marked rolled_back" in message


def test_the_rehearsal_run_again_reuses_what_the_gate_measured(tmp_path, monkeypatch, capsys):
    """Running the rehearsal cell again gates the same three models: the gate measures each
    model's files once per process (about half a minute each on a 2-core laptop), and again
    only when a file changes."""
    from launchpad.lifecycle import gate

    loaded = []
    monkeypatch.setattr(gate, "_MEASURED", {})
    monkeypatch.setattr(gate, "SUITES", [])
    monkeypatch.setattr(gate, "load", lambda path, threads=2: loaded.append(path) or path)
    monkeypatch.setattr(gate, "measure_accuracy", lambda model: dict(ACCURACY_FLOORS))
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"one")
    first = gate.run_gate(folder)
    assert "Quality gate" in capsys.readouterr().out  # it says what it is doing
    again = gate.run_gate(folder, None, ("version 2", None))
    assert len(loaded) == 1 and capsys.readouterr().out == ""
    assert again.passed and again.candidate == "version 2"
    assert [c.name for c in again.checks] == [c.name for c in first.checks]
    (folder / "weights.bin").write_bytes(b"two")
    gate.run_gate(folder)
    assert len(loaded) == 2
