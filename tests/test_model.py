"""Model resolution: the course model by default, local folders and Hub ids as opt-ins, and
clear errors for every way a model folder can be missing or broken."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from launchpad.model import ENV_VAR, ModelError, build, load_pipeline, resolve


def test_default_is_the_course_model(course_model_dir, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    model = resolve()
    assert (model.source, model.path) == ("course", course_model_dir)
    assert build.verify(model.path, full=True) is None


def test_course_model_is_a_standard_pipeline_folder(course_model_dir):
    from transformers import pipeline

    classifier = pipeline("sentiment-analysis", model=str(course_model_dir))
    results = classifier(["What a wonderful, moving film.", "Awful. I walked out."])
    assert [r["label"] for r in results] == ["POSITIVE", "NEGATIVE"]
    config = json.loads((course_model_dir / "config.json").read_text())
    assert config["architectures"] == ["BertForSequenceClassification"]
    assert config["id2label"] == {"0": "NEGATIVE", "1": "POSITIVE"}
    card = (course_model_dir / "README.md").read_text()
    for must in ("## Evaluation", "## Data", "Hutto", "MIT", "Apache-2.0", "## Recipe"):
        assert must in card


def test_held_out_accuracy_is_measured_again_not_trusted(course_model_dir):
    """Re-measure on the held-out movie snippets through the public pipeline API."""
    from launchpad.model.data import is_held_out, load_ratings

    held_out = [e for e in load_ratings()["movies"] if is_held_out(e)]
    classifier = load_pipeline(course_model_dir)
    predictions = classifier([e.text for e in held_out], batch_size=64, truncation=True)
    accuracy = sum(
        (p["label"] == "POSITIVE") == bool(e.label)
        for p, e in zip(predictions, held_out, strict=True)
    ) / len(held_out)
    assert accuracy >= 0.85
    recorded = build.read_manifest(course_model_dir)["evaluation"]["movies"]["accuracy"]
    assert abs(accuracy - recorded) < 0.005


def test_environment_variable_selects_a_local_folder(course_model_dir, tmp_path, monkeypatch):
    copy = shutil.copytree(course_model_dir, tmp_path / "my-model")
    monkeypatch.setenv(ENV_VAR, str(copy))
    model = resolve()
    assert (model.source, model.path, model.name) == ("local", copy, "my-model")


def _broken_copy(course_model_dir, tmp_path, damage):
    copy = shutil.copytree(course_model_dir, tmp_path / "broken")
    damage(copy)
    return copy


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: shutil.rmtree(d), "No model folder"),
        (lambda d: (d / "config.json").unlink(), "no config.json"),
        (lambda d: (d / "config.json").write_text("{oops"), "not valid JSON"),
        (lambda d: (d / "model.safetensors").unlink(), "has no weights"),
        (
            lambda d: [(d / n).unlink(missing_ok=True) for n in ("tokenizer.json", "vocab.txt")],
            "no tokenizer",
        ),
    ],
    ids=["missing", "no-config", "bad-config", "no-weights", "no-tokenizer"],
)
def test_broken_local_folder_gets_a_clear_error(course_model_dir, tmp_path, damage, message):
    folder = _broken_copy(course_model_dir, tmp_path, damage)
    with pytest.raises(ModelError, match=message):
        resolve(folder)


def test_truncated_weights_fail_to_load_with_a_fix(course_model_dir, tmp_path):
    def truncate(d):
        (d / "model.safetensors").write_bytes((d / "model.safetensors").read_bytes()[:1000])

    folder = _broken_copy(course_model_dir, tmp_path, truncate)
    with pytest.raises(ModelError, match="could not be loaded.*Replace the folder"):
        load_pipeline(folder)


def test_damaged_course_model_is_detected_and_make_model_repairs_it(
    course_model_dir, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    target = cache / "models" / course_model_dir.name
    shutil.copytree(course_model_dir, target)
    monkeypatch.setenv("LAUNCHPAD_CACHE", str(cache))
    assert build.model_dir() == target
    weights = target / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # same size, one flipped byte: only the full check sees it
    weights.write_bytes(bytes(data))
    assert resolve().path == target  # the quick size check lets it through...
    assert "checksum" in build.verify(target, full=True)  # ...`make model`'s does not
    weights.write_bytes(weights.read_bytes()[:-10])
    with pytest.raises(ModelError, match="damaged.*make model"):
        resolve()


def test_missing_course_model_without_build_says_make_model(tmp_path, monkeypatch):
    monkeypatch.setenv("LAUNCHPAD_CACHE", str(tmp_path))
    with pytest.raises(ModelError, match="make model"):
        resolve(build=False)


def _run_offline(code: str, hub_cache, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "HF_HUB_CACHE": str(hub_cache), "HF_HUB_OFFLINE": "1", **env}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=300
    )


def test_hub_model_id_loads_offline_from_the_hf_cache(hub_cache):
    snapshot = hub_cache("course-org/sentiment-demo")
    code = (
        "from launchpad.model import resolve, load_pipeline\n"
        "m = resolve()\n"
        "print(m.source, m.name, m.path)\n"
        "print(load_pipeline()('A delightful surprise.')[0]['label'])\n"
    )
    run = _run_offline(code, hub_cache.root, LAUNCHPAD_MODEL="course-org/sentiment-demo")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == [f"hub course-org/sentiment-demo {snapshot}", "POSITIVE"]


def test_hub_model_not_in_cache_offline_says_what_to_do(tmp_path):
    code = "from launchpad.model import resolve\nresolve('course-org/never-downloaded')\n"
    run = _run_offline(code, tmp_path / "empty-hub")
    assert run.returncode != 0
    assert (
        "ModelError: 'course-org/never-downloaded' is not in the Hugging Face cache" in run.stderr
    )
