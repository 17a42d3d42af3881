"""The course's training and evaluation data: human-rated sentences from VADER.

Hutto & Gilbert (2014) had about 20 people rate each sentence from -4 (very negative) to +4
(very positive). The rated sets ship inside the source distribution of `vaderSentiment==3.3.2`
(MIT licence), so pip fetches them like any other package and we verify the file's hash.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from launchpad.paths import cache_dir

SDIST_NAME = "vaderSentiment-3.3.2.tar.gz"
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER_ARCHIVE = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
CITATION = (
    "Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for Sentiment "
    "Analysis of Social Media Text. ICWSM-14."
)

# Name in the course -> file stem in the archive.
SETS = {
    "movies": "movieReviewSnippets",
    "amazon": "amazonReviewSnippets",
    "tweets": "tweets",
    "nyt": "nytEditorialSnippets",
}

# Sentences whose mean rating is this close to zero are neither clearly positive nor
# clearly negative; a two-label model cannot be right or wrong about them, so we drop them.
NEUTRAL_BAND = 0.5


class DataError(RuntimeError):
    """The rated sentences could not be fetched or verified."""


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    rating: float

    @property
    def label(self) -> int:
        """1 for POSITIVE, 0 for NEGATIVE."""
        return int(self.rating > 0)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_sdist() -> Path:
    """Return the verified vaderSentiment source archive, downloading it with pip once."""
    folder = cache_dir() / "downloads"
    path = folder / SDIST_NAME
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "vaderSentiment==3.3.2",
            "-d",
            str(folder),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0 or not path.exists():
            raise DataError(
                "Could not download the vaderSentiment==3.3.2 source archive with pip.\n"
                f"pip said: {result.stderr.strip()[-800:]}\n"
                "Check that pip can reach the package index (proxy or certificate settings)."
            )
    actual = sha256_file(path)
    if actual != SDIST_SHA256:
        path.unlink()
        raise DataError(
            f"{SDIST_NAME} has sha256 {actual}, expected {SDIST_SHA256}. The file was removed;"
            " run the command again to fetch a fresh copy."
        )
    return path


def load_ratings(sdist: Path | None = None) -> dict[str, list[Example]]:
    """All four rated sets, neutral sentences dropped, in the archive's order."""
    sdist = sdist or fetch_sdist()
    with tarfile.open(sdist) as outer:
        inner_bytes = outer.extractfile(INNER_ARCHIVE).read()
    sets: dict[str, list[Example]] = {}
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for name, stem in SETS.items():
            raw = inner.extractfile(f"hutto_ICWSM_2014/{stem}_GroundTruth.txt").read()
            sets[name] = list(_parse(raw.decode("utf-8", errors="replace")))
    return sets


def _parse(text: str):
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        rating = float(parts[1])
        if abs(rating) >= NEUTRAL_BAND:
            yield Example(id=parts[0], text=parts[2].strip(), rating=rating)


def is_held_out(example: Example) -> bool:
    """A stable 10% of each set, chosen by a hash of the sentence id (not by position)."""
    return int(hashlib.sha256(example.id.encode()).hexdigest(), 16) % 10 == 0
