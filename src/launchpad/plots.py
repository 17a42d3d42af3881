"""The course's house style for plots: one look that reads on the site's light and dark themes.

A notebook's figures are shown on a white page (JupyterLab's light theme, the site's default
scheme) or on a dark one (JupyterLab's dark theme, the site's slate scheme). A figure drawn with
a transparent background, mid-grey text and axes, and colours of middle lightness reads on
both: every colour here has a contrast of at least 3:1 (WCAG's bar for graphics) against white
and against the site's dark background, which tests/test_plots.py checks.

In a notebook, call `use()` once (it styles every figure the kernel draws after it); in code
that draws a figure for others, wrap the drawing in `with style():`. Label every axis with its
unit.
"""

from __future__ import annotations

# Text, axes and grid: 4:1 on white and on the dark theme. A shade darker than half: Jupyter
# marks a transparent figure whose tick labels are all light as needing a dark background, and
# the site then paints a panel behind it (dark in its light scheme, white in its dark one: its
# notebooks always use JupyterLab's light theme). Dark-ish labels get the "light background"
# mark, which only JupyterLab's own dark theme acts on (a white panel: it still reads well).
GREY = "#7a7a7a"
COLOURS = (
    "#3b82f6",  # blue
    "#d9730d",  # orange
    "#2a9d55",  # green
    "#e5484d",  # red
    "#9b6ef3",  # purple
    "#0f9fb0",  # teal
    "#c2559a",  # pink
    "#a67c00",  # ochre
)
BACKGROUNDS = {"light": "#ffffff", "dark": "#1e2129"}  # Material's default and slate schemes


def house() -> dict:
    """The rcParams of the house style (matplotlib's names)."""
    from cycler import cycler

    return {
        # Transparent: the page's own background shows through, light or dark.
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.transparent": True,
        "text.color": GREY,
        "axes.labelcolor": GREY,
        "axes.titlecolor": GREY,
        "axes.edgecolor": GREY,
        "xtick.color": GREY,
        "ytick.color": GREY,
        "grid.color": GREY,
        "grid.alpha": 0.3,
        "axes.grid": True,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=COLOURS),
        "legend.frameon": False,
        "lines.linewidth": 2,
        "figure.dpi": 100,
        "figure.constrained_layout.use": True,
        # SVG output the same on every run: fixed ids, no creation date (see `svg_data_uri`).
        "svg.hashsalt": "launchpad",
    }


def use() -> None:
    """Style every figure drawn after this call (in a notebook: once, near the top)."""
    import matplotlib.pyplot as plt  # first: importing it sets up the notebook's backend

    plt.rcParams.update(house())


def style():
    """A context manager that draws in the house style and then restores the caller's."""
    import matplotlib

    return matplotlib.rc_context(house())


def svg_data_uri(figure) -> str:
    """`figure` as an SVG `data:` URI, for an `<img>` in a page that must stand alone (a report
    sent by mail or opened from disk). The same figure gives the same text on every run, so a
    stored notebook that shows it still compares equal when it runs again."""
    import base64
    import io

    buffer = io.BytesIO()
    with style():  # the salt that makes the SVG's ids stable is read when it is written
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def luminance(colour: str) -> float:
    """The relative luminance of a `#rrggbb` colour (WCAG 2's definition)."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours: 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
