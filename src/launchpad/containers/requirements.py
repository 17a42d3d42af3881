"""The lock and the images' requirements files, both generated from pyproject.toml.

pyproject.toml pins what the course uses directly; the service's run-time libraries are pinned
once, in its extras `service`, `service-torch` and `service-onnx`, which the course's own
dependencies name (`mlops-launchpad[service,...]`) instead of repeating their pins.

The lock (requirements/lock.txt, written by `make lock`) pins every package, direct or not,
with the hashes of its files: uv resolves pyproject.toml's dependencies and extras for every
platform at once, and a line that holds only somewhere says where in its marker (`appnope ;
sys_platform == 'darwin'`). PyTorch is the one package whose build differs by platform: the
lock takes its CPU build on Linux x86_64 (requirements/torch.txt, an override this module
writes from pyproject's pin) and PyPI's elsewhere. `make install` installs the lock with pip,
so pip's own settings (indexes, find-links) apply as before.

Each image's requirements file (deploy/docker/) is the part of the lock that its extras need,
flattened, hashes included: pip in a `docker build` cannot read an extra of a project it does
not have, and the offline build installs exactly the locked files.

Run as `python -m launchpad.containers.requirements` (stdlib only, so it runs before the
course is installed): `lock` for `make lock`, `pip-args` for `make install`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from launchpad.paths import REPO_ROOT

PYPROJECT = REPO_ROOT / "pyproject.toml"
LOCK = REPO_ROOT / "requirements" / "lock.txt"
TORCH_OVERRIDE = REPO_ROOT / "requirements" / "torch.txt"
COMMAND = "make requirements"
LOCK_COMMAND = "make lock"
# PyTorch's CPU-only wheels (no CUDA libraries): the index pip is pointed at, and the page of
# torch wheels `make lock` shows uv (it merges them with PyPI's; an index would shadow PyPI).
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH_CPU_WHEELS = f"{TORCH_CPU_INDEX}/torch/"
# Where the lock takes PyTorch's CPU build, and everywhere else (PEP 508 has no `not`).
CPU_TORCH_PLATFORM = 'sys_platform == "linux" and platform_machine == "x86_64"'
OTHER_PLATFORMS = 'sys_platform != "linux" or platform_machine != "x86_64"'
# `name[extra,...]` at the start of a requirement, the name in PEP 503's normal form after.
_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
# A lock entry's first line: `name==version`, then ` ; marker` and a line continuation.
_ENTRY = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]*?))?\s*\\?$")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_project(pyproject: Path = PYPROJECT) -> dict:
    return tomllib.loads(pyproject.read_text())["project"]


def flatten(requirements: Iterable[str], project: dict) -> list[str]:
    """`requirements` with every reference to the project's own extras replaced by what those
    extras list (recursively); each requirement once, in the order first met."""
    own = normalise(project["name"])
    extras = project.get("optional-dependencies", {})
    flat: list[str] = []

    def add(requirement: str) -> None:
        name, wanted = _REQUIREMENT.match(requirement).groups()
        if normalise(name) != own:
            if requirement not in flat:
                flat.append(requirement)
            return
        for extra in (e.strip() for e in (wanted or "").split(",") if e.strip()):
            for inner in extras[extra]:
                add(inner)

    for requirement in requirements:
        add(requirement)
    return flat


def extra_requirements(extras: Iterable[str], pyproject: Path = PYPROJECT) -> list[str]:
    """The requirements that `extras` of the project declare, flattened."""
    project = read_project(pyproject)
    return flatten([f"{project['name']}[{','.join(extras)}]"], project)


def top_level(project: dict) -> list[str]:
    """Everything the course installs by name: its dependencies and every extra, flattened."""
    extras = ",".join(project.get("optional-dependencies", {}))
    return flatten(project["dependencies"] + [f"{project['name']}[{extras}]"], project)


def pinned_name(requirement: str) -> str:
    return normalise(_REQUIREMENT.match(requirement)[1])


# ---- the lock ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Locked:
    """One entry of the lock: a pinned requirement, its hashes, and what it is there for."""

    name: str  # normalised
    version: str
    marker: str  # "" where it holds on every platform
    text: str  # the requirement line and its hash lines, as pip reads them
    via: tuple[str, ...]  # the locked packages that require it (normalised names)

    @property
    def public_version(self) -> str:
        """The version without its local label: 2.13.0 for PyTorch's 2.13.0+cpu."""
        return self.version.split("+")[0]


def parse_lock(text: str) -> list[Locked]:
    """The entries of a lock that uv wrote (`name==version ; marker \\`, hash lines, then the
    `# via` annotation, one parent per line or all on the `# via` line)."""
    entries: list[Locked] = []
    for block in re.split(r"\n(?=[^\s#])", text):
        first, *rest = block.splitlines() or [""]
        match = _ENTRY.match(first)
        if not match:
            continue
        requirement = [first] + [line for line in rest if line.strip().startswith("--hash")]
        via = [
            re.sub(r"^#\s*(via\b)?\s*", "", line.strip())
            for line in rest
            if line[:1].isspace() and line.strip().startswith("#")  # the entry's own annotation
        ]
        entries.append(
            Locked(
                name=normalise(match[1]),
                version=match[2],
                marker=(match[3] or "").strip(),
                text="\n".join(requirement) + "\n",
                # `mlops-launchpad (pyproject.toml)`, `--override ...`: not packages
                via=tuple(normalise(v) for v in via if v and " " not in v),
            )
        )
    return entries


def read_lock(lock: Path = LOCK) -> list[Locked]:
    return parse_lock(lock.read_text())


# What the lock holds only for an extra of a package the images need: its `# via` lines cannot
# say so. uvicorn[standard]'s, which evidently asks for in the course's environment (the service
# names the two of them it uses, uvloop and httptools). tests/test_environment_pins.py compares
# each image's files with what pip would install, so a new case fails there.
EXTRA_ONLY = {"uvicorn": frozenset({"watchfiles", "websockets"})}


def closure(entries: list[Locked], names: Iterable[str]) -> list[Locked]:
    """The entries that `names` need: those packages, and every locked package that one of the
    needed ones requires, all the way down (in the lock's order)."""
    needed = {normalise(name) for name in names}

    def required(entry: Locked) -> bool:
        return any(p in needed and entry.name not in EXTRA_ONLY.get(p, ()) for p in entry.via)

    grew = True
    while grew:
        more = {e.name for e in entries if e.name not in needed and required(e)}
        needed |= more
        grew = bool(more)
    return [e for e in entries if e.name in needed]


def header(about: str, extras: Iterable[str]) -> str:
    """The comment a generated file opens with: what it is for, then where its pins come
    from (a line the learner's portfolio drops: it names the course's files)."""
    lines = about.splitlines() + [
        f"Generated from requirements/lock.txt (pyproject.toml's extras {', '.join(extras)}) "
        f"by `{COMMAND}`."
    ]
    return "".join(f"# {line}\n" for line in lines)


# Said once, under the header (and kept in the learner's portfolio: it names no course file).
PINNED = (
    "# Every package it needs, each pinned with the hashes of its files: pip installs exactly\n"
    "# these files or stops.\n"
)


def render(
    about: str, extras: tuple[str, ...], pyproject: Path = PYPROJECT, lock: Path = LOCK
) -> str:
    """An image's requirements file: the header, then the lock's entries its extras need."""
    names = [pinned_name(r) for r in extra_requirements(extras, pyproject)]
    return header(about, extras) + PINNED + "".join(e.text for e in closure(read_lock(lock), names))


def torch_override(project: dict) -> str:
    """requirements/torch.txt: PyTorch at pyproject's pin, its CPU build where the lock wants
    it. uv takes it as an override, so both builds are locked, each for its platforms."""
    [pin] = [r for r in top_level(project) if pinned_name(r) == "torch"]
    version = pin.split("==")[1]
    return (
        "# PyTorch for the lock (`make lock` writes this file from pyproject.toml's pin): its\n"
        "# CPU build on Linux x86_64, no CUDA libraries (0.2 GB instead of 3 GB), from PyTorch's\n"
        "# own index; the same release from PyPI on every other platform.\n"
        f"torch=={version}+cpu ; {CPU_TORCH_PLATFORM}\n"
        f"torch=={version} ; {OTHER_PLATFORMS}\n"
    )


def lock_command(uv: str, torch_wheels: str, upgrade: bool) -> list[str]:
    return [
        uv,
        "pip",
        "compile",
        str(PYPROJECT.relative_to(REPO_ROOT)),
        "--all-extras",
        "--universal",  # one file for every platform; markers say where a line holds
        "--generate-hashes",
        "--override",
        str(TORCH_OVERRIDE.relative_to(REPO_ROOT)),
        "--find-links",
        torch_wheels,
        # The lock names no index: each machine's pip settings say where files come from.
        "--no-emit-index-url",
        "--no-emit-find-links",
        "--custom-compile-command",
        LOCK_COMMAND + (" UPGRADE=1" if upgrade else ""),
        "--output-file",
        str(LOCK.relative_to(REPO_ROOT)),
        "--quiet",
        *(["--upgrade"] if upgrade else []),
    ]


def changes(before: list[Locked], after: list[Locked]) -> list[tuple[str, str, str]]:
    """(package, old versions, new versions) for every package the new lock moved, added ("")
    or dropped; a package locked twice (PyTorch) shows both versions."""

    def versions(entries: list[Locked]) -> dict[str, str]:
        found: dict[str, set[str]] = {}
        for e in entries:
            found.setdefault(e.name, set()).add(e.version)
        return {name: " / ".join(sorted(v)) for name, v in found.items()}

    old, new = versions(before), versions(after)
    return [
        (name, old.get(name, ""), new.get(name, ""))
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    ]


def report(moved: list[tuple[str, str, str]], upgrade: bool) -> str:
    """What `make lock` changed, in Markdown (the scheduled workflow's summary and issue)."""
    what = "upgraded to the newest releases" if upgrade else "regenerated from pyproject.toml"
    if not moved:
        return f"The lock, {what}: no package changed.\n"
    rows = "".join(
        f"| {name} | {old or '(new)'} | {new or '(dropped)'} |\n" for name, old, new in moved
    )
    return (
        f"The lock, {what}: {len(moved)} packages changed.\n\n"
        "| package | locked | now |\n|---|---|---|\n" + rows
    )


def lock(uv: str, torch_wheels: str, upgrade: bool = False) -> str:
    """Write requirements/torch.txt and the lock; returns what changed (Markdown). The images'
    requirements files are written from the lock next (`launchpad requirements`)."""
    before = read_lock() if LOCK.is_file() else []
    TORCH_OVERRIDE.write_text(torch_override(read_project()))
    run = subprocess.run(
        lock_command(uv, torch_wheels, upgrade), cwd=REPO_ROOT, capture_output=True, text=True
    )
    if run.returncode != 0:
        raise SystemExit(f"uv could not lock the environment:\n{run.stderr.strip()}")
    return report(changes(before, read_lock()), upgrade)


# ---- installing it -----------------------------------------------------------------------


def pip_args(python: str = sys.executable, lock: Path = LOCK) -> list[str]:
    """What `make install` adds to `pip install -r requirements/lock.txt`: PyTorch's CPU
    index when the lock wants PyTorch's CPU build here and pip's own settings do not find it
    (they do on a machine that has the wheel at hand, and then no index is added)."""
    cpu = [e for e in read_lock(lock) if e.name == "torch" and e.version.endswith("+cpu")]
    if not cpu:
        return []
    with tempfile.TemporaryDirectory() as scratch:
        wanted = Path(scratch) / "torch.txt"
        wanted.write_text("".join(e.text for e in cpu))
        # pip reads the marker (elsewhere the line is ignored, and that is success) and the
        # hash: only the locked file counts. A second or two, metadata only.
        found = subprocess.run(
            [python, "-m", "pip", "install", "--dry-run", "--no-deps", "--quiet", "-r", wanted],
            capture_output=True,
            text=True,
        )
    return [] if found.returncode == 0 else ["--extra-index-url", TORCH_CPU_INDEX]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launchpad.containers.requirements")
    verbs = parser.add_subparsers(dest="verb", required=True)
    locking = verbs.add_parser("lock", help="write requirements/lock.txt with uv")
    locking.add_argument("--uv", default=shutil.which("uv") or "uv")
    locking.add_argument("--torch-wheels", default=TORCH_CPU_WHEELS)
    locking.add_argument("--upgrade", action="store_true")
    verbs.add_parser("pip-args", help="the options make install gives pip for the lock")
    args = parser.parse_args(argv)
    if args.verb == "pip-args":
        print(" ".join(pip_args()))
        return 0
    # uv is quiet while it resolves: say what the wait is for (measured here: 5 to 15 s).
    print("uv resolves every platform's packages from pyproject.toml (about 10 s)...", flush=True)
    summary = lock(args.uv, args.torch_wheels, args.upgrade)
    print(summary, end="")
    (REPO_ROOT / "build").mkdir(exist_ok=True)
    (REPO_ROOT / "build" / "lock-changes.md").write_text(summary)
    if os.environ.get("GITHUB_STEP_SUMMARY"):  # a GitHub job: its summary page shows it
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a") as page:
            page.write(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
