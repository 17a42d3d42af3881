"""The drift monitor flags a shifted stream and leaves an unshifted one alone, on real texts
and the real model's predictions."""

from __future__ import annotations

import random

import pytest

from launchpad.drift import compare, psi, shares, training_vocabulary
from launchpad.model.build import split
from launchpad.model.data import load_ratings
from launchpad.model.onnx_export import predict_all
from sentiment_api.onnx_inference import OnnxSentimentModel


@pytest.fixture(scope="module")
def world(course_onnx_dir):
    train, sets = split(load_ratings())
    model = OnnxSentimentModel(course_onnx_dir)

    def window(examples):
        texts = [e.text for e in examples]
        return texts, [p.label for p in predict_all(model, texts)]

    movies = sets["movies"][:]
    random.Random(0).shuffle(movies)  # the data set lists reviews in its own order
    return {
        "vocabulary": training_vocabulary(e.text for e in train),
        "reference": window(movies[:500]),
        "more movies": window(movies[500:]),
        "tweets": window(sets["tweets"][:500]),
        "praise only": window([e for e in movies[500:] if e.label == 1]),
    }


def report_for(world, name):
    return compare(*world["reference"], *world[name], vocabulary=world["vocabulary"])


def test_more_of_the_same_is_not_drift(world):
    report = report_for(world, "more movies")
    print("\n" + report.summary())
    assert report.drifted == []


def test_tweets_after_film_reviews_are_drift(world):
    report = report_for(world, "tweets")
    print("\n" + report.summary())
    assert "unknown words" in report.drifted or "input length (words)" in report.drifted


def test_a_flood_of_one_label_is_drift_even_when_the_inputs_look_the_same(world):
    report = report_for(world, "praise only")
    print("\n" + report.summary())
    assert "predicted label" in report.drifted
    assert "unknown words" not in report.drifted


def test_the_report_is_a_page_a_person_can_read(world):
    page = report_for(world, "tweets").to_html()
    assert "<table>" in page and "reference" in page and "PSI" in page
    assert "drift" in page


def test_psi_is_zero_for_identical_distributions_and_grows_with_the_shift():
    same = shares([1, 2, 3, 4], (2,))
    assert psi(same, same) == 0
    assert psi([0.5, 0.5], [0.4, 0.6]) < psi([0.5, 0.5], [0.1, 0.9])
    with pytest.raises(ValueError, match="empty window"):
        shares([], (1,))
