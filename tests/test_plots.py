"""The course's plots: a house style that reads on the site's light and dark themes, and the
drift report's pictures of the distributions behind each PSI."""

from __future__ import annotations

import base64
import io
import re

import matplotlib
import pytest

from launchpad import drift, plots

matplotlib.use("Agg")


def test_contrast_is_wcag_s_ratio():
    assert plots.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert plots.contrast("#3b82f6", "#3b82f6") == pytest.approx(1)


@pytest.mark.parametrize("colour", [plots.GREY, *plots.COLOURS])
@pytest.mark.parametrize("theme", sorted(plots.BACKGROUNDS))
def test_every_colour_reads_on_the_light_and_the_dark_theme(colour, theme):
    # 3:1 is WCAG's minimum for the parts of a graphic one must see to understand it.
    assert plots.contrast(colour, plots.BACKGROUNDS[theme]) >= 3


def drawn(figure) -> list[tuple[int, int, int, int]]:
    from PIL import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return list(Image.open(buffer).convert("RGBA").getdata())


def test_a_house_style_figure_is_transparent_with_grey_text_and_coloured_data():
    import matplotlib.pyplot as plt

    with plots.style():
        figure, axes = plt.subplots(figsize=(3, 2))
        axes.plot([1, 2, 3], [2, 1, 3], linewidth=4)
        axes.set(xlabel="clients", ylabel="requests/s")
    pixels = drawn(figure)
    plt.close(figure)
    assert pixels[0][3] == 0, "the corner should be transparent: the page shows through"
    grey = tuple(int(plots.GREY[i : i + 2], 16) for i in (1, 3, 5))
    assert any(p[:3] == grey and p[3] == 255 for p in pixels), "no grey text or axes"
    blue = tuple(int(plots.COLOURS[0][i : i + 2], 16) for i in (1, 3, 5))
    assert any(p[:3] == blue and p[3] == 255 for p in pixels), (
        "the line is not in the cycle's first colour"
    )
    assert matplotlib.rcParams["figure.facecolor"] != "none", "style() leaked into the caller's"


def test_jupyter_paints_no_panel_behind_a_house_style_figure_on_the_site():
    """The site renders notebooks with JupyterLab's light theme in both of its schemes, which
    paints a dark panel behind an image whose metadata says it needs a dark background."""
    import matplotlib.pyplot as plt
    from matplotlib_inline.backend_inline import _fetch_figure_metadata

    with plots.style():
        figure, axes = plt.subplots()
        axes.plot([1, 2], [1, 2])
    metadata = _fetch_figure_metadata(figure) or {}
    plt.close(figure)
    assert metadata.get("needs_background") != "dark"


def report(shift: float) -> drift.DriftReport:
    return drift.DriftReport(
        100,
        80,
        [
            drift.Feature(
                "input length (words)", ["≤ 5", "> 5"], [0.5, 0.5], [0.5 - shift, 0.5 + shift]
            ),
            drift.Feature("predicted label", ["NEGATIVE", "POSITIVE"], [0.4, 0.6], [0.4, 0.6]),
        ],
    )


def test_the_drift_figure_draws_each_bin_s_shares_for_each_window():
    reports = {"quiet": report(0.0), "shifted": report(0.4)}
    figure = drift.figure(reports)
    panels = figure.get_axes()
    assert len(panels) == 4  # two windows, two features
    shifted_length = panels[2]
    heights = [round(bar.get_height(), 6) for bar in shifted_length.patches]
    assert heights == [50, 50, 10, 90]  # reference bins, then current bins, in percent
    assert shifted_length.get_title(loc="left") == "PSI 0.879: drift"
    assert panels[0].get_title(loc="left") == "PSI 0.000: stable"
    assert shifted_length.get_xlabel() == "input length (words)"
    assert "%" in shifted_length.get_ylabel()


def test_the_drift_report_embeds_one_picture_per_feature_the_same_on_every_run():
    page = report(0.4).to_html()
    sources = re.findall(r"<img src='data:image/svg\+xml;base64,([^']+)'", page)
    assert len(sources) == 2
    svg = base64.b64decode(sources[0]).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<dc:date>" not in svg  # a date would change the stored notebook on every run
    assert report(0.4).to_html() == page  # nbval compares the lesson's HTML output
    assert "<table>" in page and "drift" in page
