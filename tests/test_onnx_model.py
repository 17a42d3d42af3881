"""The ONNX int8 export of the course model: smaller, and still the same model."""

from __future__ import annotations

import onnx
import pytest

from launchpad.model.build import read_manifest, split
from launchpad.model.data import load_ratings
from launchpad.model.onnx_export import MAX_ACCURACY_DROP, accuracy_drops, agreement, predict_all
from sentiment_api.inference import SentimentModel
from sentiment_api.onnx_inference import OnnxSentimentModel


def test_int8_loses_at_most_one_point_on_every_evaluation_set(course_onnx_dir):
    report = read_manifest(course_onnx_dir)["evaluation"]
    print("\n" + "\n".join(f"{k}: {v}" for k, v in report["accuracy"].items()))
    drops = accuracy_drops(course_onnx_dir)
    assert set(drops) == {"movies", "amazon", "tweets", "nyt"}
    assert all(drop <= MAX_ACCURACY_DROP for drop in drops.values()), drops
    assert report["agreement"]["texts"] > 10_000
    assert report["agreement"]["label_agreement"] >= 0.97


def test_the_export_is_int8_and_a_quarter_of_the_fp32_size(course_onnx_dir):
    manifest = read_manifest(course_onnx_dir)
    graph = onnx.load(course_onnx_dir / "model.onnx").graph
    operators = {node.op_type for node in graph.node}
    assert "MatMulInteger" in operators and "DynamicQuantizeLinear" in operators
    assert [i.name for i in graph.input] == ["input_ids", "attention_mask", "token_type_ids"]
    size = (course_onnx_dir / "model.onnx").stat().st_size
    assert size < 0.3 * manifest["fp32_bytes"], (size, manifest["fp32_bytes"])


def test_served_int8_agrees_with_pytorch_now(course_model_dir, course_onnx_dir):
    """Not only at export time: the backends as they serve today still agree."""
    _, sets = split(load_ratings())
    texts = [e.text for e in sets["movies"][:300]]
    torch_predictions = predict_all(SentimentModel(course_model_dir), texts)
    onnx_predictions = predict_all(OnnxSentimentModel(course_onnx_dir), texts)
    report = agreement(torch_predictions, onnx_predictions)
    print(f"\n{report}")
    assert report["label_agreement"] >= 0.97
    assert report["max_score_difference"] < 0.5


def test_an_onnx_folder_missing_files_is_refused_clearly(tmp_path, course_onnx_dir):
    from sentiment_api.predictions import ModelLoadError

    (tmp_path / "config.json").write_text((course_onnx_dir / "config.json").read_text())
    with pytest.raises(ModelLoadError, match="model.onnx, tokenizer.json.*BACKEND=torch"):
        OnnxSentimentModel(tmp_path)
