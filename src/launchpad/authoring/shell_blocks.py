"""The shell commands the course shows: every ```bash / ```sh / ```console block in the text of
the notebooks (lessons, solutions, exercises) and of the pages (README, docs/), and a terminal
to run them in the way a learner does (tests/test_shell_blocks.py runs each one).

Code cells are not covered here: nbval executes the lessons' and solutions' cells, and the
exercises are generated from the solutions.

- `find_blocks` is the inventory: computed from the files, so a new block is found the day it
  is written. A block shown in several places (an exercise and its solution) is one block.
- `Command` is one command as a learner types it: continuation lines kept, the trailing comment
  apart. A cloud block's roll-back and tear-down lines (`# roll back:  gcloud ...`) are commands
  too, shown in a comment.
- `learner_clone` is the repository as a learner has it after `make install`: its files in a
  scratch folder, the course's environment linked in as `.venv/`, no workspace.
- `workspace_after` fills that clone's workspace as it is at the end of an exercise.
- `Terminal` is one bash in the clone, with the environment active: `cd` and `export` carry
  from one command to the next, and a server is started in the background and stopped at the
  end, as a second terminal would run it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from launchpad.paths import REPO_ROOT

SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "shell-session", "zsh"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*\{?\.?(?P<lang>[\w+-]*)")
# A command shown inside a comment: `# roll back:  eb deploy ...`, `#   gcloud ... delete ...`.
COMMENTED = re.compile(r"^#\s*(?:[a-z][\w ]*:\s+)?(?P<command>\S.*)$")
# Variables a learner's terminal does not have: the outer `make test`'s own, and MLflow's
# tracking URI, which mlflow.set_tracking_uri() in an earlier test leaves in os.environ.
NOT_A_LEARNERS = (
    "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKE_TERMOUT", "MAKE_TERMERR", "PYTHONHOME",
    "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI",
)  # fmt: skip


@dataclass(frozen=True)
class Command:
    text: str  # as typed, continuation lines included, without its trailing comment
    comment: str = ""
    output: tuple[str, ...] = ()  # a console block's lines after the command
    in_comment: bool = False  # shown in a comment (a roll-back line), not meant to run now

    @property
    def program(self) -> str:
        """The program it runs, after any `NAME=value` assignments."""
        return (bare(self.text).split() or [""])[0]


def one_line(text: str) -> str:
    """A command on one line: continuation lines joined, runs of white space made one space."""
    return " ".join(text.replace("\\\n", " ").split())


def bare(text: str) -> str:
    """A command on one line without its leading `NAME=value` assignments: `PORT=8000 python
    -m x` is `python -m x`."""
    words = one_line(text).split(" ")
    while words and re.match(r"^\w+=\S*$", words[0]):
        words.pop(0)
    return " ".join(words)


@dataclass(frozen=True)
class ShellBlock:
    language: str
    text: str
    places: tuple[str, ...]  # "notebooks/02-wrap-it-in-an-api.ipynb, cell 22", "docs/setup.md:8"

    @property
    def commands(self) -> list[Command]:
        if self.language == "console":
            return _console_commands(self.text)
        commands = _commands(self.text)
        programs = {c.program for c in commands}
        return [c for c in _commands(self.text, programs) if c.text]

    def describe(self) -> str:
        more = len(self.places) - 1
        return self.places[0] + (f" (and {more} more)" if more else "")


def find_blocks(repo: Path = REPO_ROOT) -> list[ShellBlock]:
    """Every shell block a learner is shown, in reading order (notebooks first, then pages)."""
    found: dict[tuple[str, str], list[str]] = {}
    for folder in ("notebooks", "solutions", "exercises"):
        for path in sorted((repo / folder).glob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            for index, cell in enumerate(cells):
                if cell["cell_type"] == "markdown":
                    for language, text, _ in _fenced(_source(cell)):
                        place = f"{folder}/{path.name}, cell {index}"
                        found.setdefault((language, text), []).append(place)
    pages = [repo / "README.md", *sorted((repo / "docs").rglob("*.md"))]
    for path in pages:
        for language, text, line in _fenced(path.read_text(encoding="utf-8")):
            place = f"{path.relative_to(repo)}:{line}"
            found.setdefault((language, text), []).append(place)
    return [ShellBlock(lang, text, tuple(places)) for (lang, text), places in found.items()]


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _fenced(markdown: str) -> list[tuple[str, str, int]]:
    """(language, text, line) of the shell blocks in `markdown`; `!cmd` lines of a Python block
    count too (IPython's shell escape, shown as text)."""
    blocks, lines, i = [], markdown.splitlines(), 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence, language = opening["indent"], opening["fence"], opening["lang"].lower()
        body, j = [], i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        text = "\n".join(body).strip("\n")
        if language in SHELL_LANGUAGES:
            blocks.append(("console" if language == "console" else "bash", text, i + 1))
        elif language in ("python", "ipython", "py"):
            escapes = [line.strip()[1:] for line in body if line.strip().startswith("!")]
            if escapes:
                blocks.append(("bash", "\n".join(escapes), i + 1))
        i = j + 1
    return blocks


def _commands(text: str, programs: set[str] = frozenset()) -> list[Command]:
    """Split a bash block into commands. With `programs`, a comment line that starts with one of
    them (after an optional `label:`) is a command shown in a comment."""
    commands, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if pending:
            pending += "\n" + line
            if not stripped.endswith("\\"):
                commands.append(_command(pending))
                pending = ""
            continue
        if not stripped:
            continue
        if stripped.startswith("#"):
            shown = COMMENTED.match(stripped)
            if programs and shown and shown["command"].split()[0] in programs:
                commands.append(_command(shown["command"], in_comment=True))
            continue
        if stripped.endswith("\\"):
            pending = line
        else:
            commands.append(_command(line))
    if pending:
        commands.append(_command(pending))
    return commands


def _command(line: str, in_comment: bool = False) -> Command:
    text, comment = split_comment(line)
    return Command(text.strip(), comment, in_comment=in_comment)


def split_comment(line: str) -> tuple[str, str]:
    """(command, comment): a `#` that starts a word outside quotes starts the comment."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


def _console_commands(text: str) -> list[Command]:
    commands: list[Command] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            command, comment = split_comment(line[2:])
            commands.append(Command(command.strip(), comment))
        elif commands:
            last = commands[-1]
            commands[-1] = Command(last.text, last.comment, (*last.output, line))
    return commands


# --- the learner's repository and terminal ------------------------------------------------------


def learner_clone(target: Path, repo: Path = REPO_ROOT) -> Path:
    """The repository's files in `target` (see `authoring.corpus.clone`), with this course
    environment linked in as `.venv/`: the state `make install` leaves. The environment's
    folders are links; its `.installed` stamp is the clone's own, so `make` never reinstalls
    into the shared environment."""
    from launchpad.authoring.corpus.clone import scratch_clone

    scratch_clone(repo, target)
    link_environment(target)
    return target


def link_environment(clone: Path) -> None:
    venv = clone / ".venv"
    venv.mkdir()
    for entry in Path(sys.prefix).iterdir():
        if entry.name != ".installed":
            (venv / entry.name).symlink_to(entry)
    (venv / ".installed").touch()


def learner_env(clone: Path) -> dict[str, str]:
    """A terminal's environment in `clone` after `source .venv/bin/activate`: the clone's code
    first on the path, the workspace at its default place, never a download from the Hub."""
    from launchpad.authoring.corpus.clone import kernel_env
    from launchpad.authoring.execute import QUIET_ENV

    env = {k: v for k, v in kernel_env(clone, QUIET_ENV).items() if k not in NOT_A_LEARNERS}
    env["VIRTUAL_ENV"] = str(clone / ".venv")
    env["PATH"] = os.pathsep.join([str(clone / ".venv" / "bin"), env.get("PATH", "")])
    return env


def workspace_after(clone: Path, module: str) -> list[str]:
    """The clone's workspace as a learner has it at the end of exercise `module`: each exercise
    up to it has run its set-up cell (the first code cell), and the reference answers fill in
    the files (`ensure_project`). Returns what was written."""
    from launchpad.authoring.reference import ensure_project
    from launchpad.questions import module_ids

    modules = tuple(m for m in module_ids() if m <= module)
    setups = []
    for number in modules:
        [solution] = (clone / "solutions").glob(f"{number}-*.ipynb")
        cells = json.loads(solution.read_text(encoding="utf-8"))["cells"]
        setups.append(next(_source(c) for c in cells if c["cell_type"] == "code"))
    script = (
        "import json, sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "for cell in json.load(sys.stdin):\n"
        "    shell.run_cell(cell).raise_error()\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(setups),
        cwd=clone / "exercises",
        env=learner_env(clone),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if ran.returncode != 0:
        raise RuntimeError(f"an exercise's set-up cell failed:\n{ran.stderr[-3000:]}")
    workspace = clone / "workspace"
    return ensure_project(workspace, modules)


@dataclass
class Result:
    command: str
    status: int
    stdout: str
    stderr: str
    seconds: float

    def tail(self, lines: int = 25) -> str:
        text = (self.stdout + "\n" + self.stderr).strip().splitlines()
        return "\n".join(text[-lines:])


@dataclass
class Server:
    command: str
    pid: int  # the leader of its own process group
    log: Path

    def died(self) -> str | None:
        """None while it runs; else the end of its log."""
        from launchpad.containers.engine import running

        if running(self.pid):
            return None
        return self.log.read_text(errors="replace")[-2000:] or "no output"


class Terminal:
    """One bash in `cwd`, as a learner's terminal: `cd` and `export` carry over from one command
    to the next. `start` runs a server as a second terminal would (its own process group, the
    same folder and exported variables); `close` stops every server, SIGTERM first."""

    def __init__(self, cwd: Path, env: dict[str, str], scratch: Path):
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        self.servers: list[Server] = []
        self._count = 0
        self._bash = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        )

    def _send(self, script: str, timeout: float) -> str:
        """Run `script` in the shell; return the line it ends by printing (its marker line)."""
        self._count += 1
        marker = f"__launchpad_step_{self._count}__"
        assert self._bash.stdin and self._bash.stdout
        self._bash.stdin.write(f'{script}\necho "{marker} $__status"\n')
        self._bash.stdin.flush()
        deadline = time.monotonic() + timeout
        import selectors

        with selectors.DefaultSelector() as selector:
            selector.register(self._bash.stdout, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise TimeoutError(f"did not finish within {timeout:.0f} s")
                line = self._bash.stdout.readline()
                if not line:
                    raise RuntimeError("the shell exited")
                if line.startswith(marker):
                    return line[len(marker) :].strip()

    def run(self, command: str, timeout: float = 600, tty_input: str | None = None) -> Result:
        """Run `command` to its end. With `tty_input`, it runs on a terminal (as a learner's
        prompt would) and reads that text, as if typed."""
        n = self._count + 1
        out, err = self.scratch / f"{n}.out", self.scratch / f"{n}.err"
        if tty_input is None:
            body = f"{{ {command}\n}} >{_q(out)} 2>{_q(err)} </dev/null; __status=$?"
        else:
            typed = self.scratch / f"{n}.typed"
            typed.write_text(tty_input)
            body = (
                f"script -qec {_q(command)} /dev/null <{_q(typed)} >{_q(out)} 2>{_q(err)}; "
                "__status=$?"
            )
        started = time.monotonic()
        status = int(self._send(body, timeout))
        return Result(
            command,
            status,
            out.read_text(errors="replace"),
            err.read_text(errors="replace"),
            time.monotonic() - started,
        )

    def start(self, command: str) -> Server:
        n = self._count + 1
        log = self.scratch / f"{n}.log"
        pid = int(
            self._send(
                f"setsid bash -c {_q(command)} >{_q(log)} 2>&1 </dev/null & __status=$!",
                timeout=30,
            )
        )
        server = Server(command, pid, log)
        self.servers.append(server)
        # `setsid` makes the group a moment after `$!` is known: until then it cannot be stopped.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and server.died() is None:
            with contextlib.suppress(ProcessLookupError):
                if os.getpgid(pid) == pid:
                    break
            time.sleep(0.05)
        return server

    def close(self) -> None:
        for server in self.servers:
            stop_group(server.pid)
        self.servers.clear()
        if self._bash.poll() is None:
            self._bash.stdin.close()
            try:
                self._bash.wait(timeout=10)
            except subprocess.TimeoutExpired:
                stop_group(self._bash.pid)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _q(text: str | Path) -> str:
    import shlex

    return shlex.quote(str(text))


def stop_group(pid: int, grace: float = 30) -> None:
    """SIGTERM to the process group `pid` leads (a server and its children), SIGKILL after
    `grace` seconds."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
