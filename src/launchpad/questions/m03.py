"""Module 03 — Package it in a container. The learner's Dockerfile lives in `workspace/`.

hadolint runs on every machine; the build, run and inspection checks use a real Docker engine
when one is reachable (in the course's CI it always is) and say how to get one when not.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from launchpad.checks import Answers, Incorrect, NotAttempted, ____, expect, question
from launchpad.net import NotReady
from launchpad.paths import workspace_dir

TAG = "my-sentiment-api:latest"
MUST_SEND = ("api/main.py", "api/model.py", "requirements.txt", "build/wheels", "build/model")
MUST_NOT_SEND = (".launchpad", "__pycache__", "tests", "predict.py")


def _instructions(text: str) -> list[str]:
    """Dockerfile instruction keywords, in order (comments and continuations skipped)."""
    words, continued = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not continued:
            words.append(stripped.split()[0].upper())
        continued = stripped.endswith("\\")
    return words


def _dockerfile() -> Path:
    path = workspace_dir() / "Dockerfile"
    if not path.exists() or "CMD" not in _instructions(path.read_text()):
        raise NotAttempted("Your Dockerfile has no CMD yet: write it and run its %%writefile cell.")
    return path


@cache
def _engine():
    from launchpad.containers import engine

    try:
        return engine.find_or_start()
    except engine.EngineError as error:
        raise NotAttempted(f"This check builds and runs your image. {error}") from error


@cache
def _base_image() -> str:
    from launchpad.containers.base_image import ensure_base_image

    return ensure_base_image(_engine())


def _build(engine, dockerfile: Path, context: Path, tag: str) -> None:
    from launchpad.containers.image import docker_build

    result = docker_build(engine, dockerfile, context, tag, _base_image())
    if result.returncode != 0:
        last = (result.stderr.strip() or result.stdout.strip()).splitlines()[-3:]
        raise Incorrect("docker build failed: " + " | ".join(last))


@question(
    "03",
    1,
    hints=[
        "Start from '*' (ignore everything), then re-include what the Dockerfile copies with '!'.",
        "Exclude caches and anything the image does not need: __pycache__, .launchpad, tests.",
    ],
    solution="""*
!api
!requirements.txt
!build/wheels
!build/model
**/__pycache__""",
)
def q1(answers: Answers):
    path = workspace_dir() / ".dockerignore"
    patterns = (
        [
            line
            for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        if path.exists()
        else []
    )
    if not patterns:
        raise NotAttempted("Your .dockerignore has no patterns yet.")
    engine = _engine()
    probe = workspace_dir() / ".context-probe.Dockerfile"
    probe.write_text(
        f"FROM {_base_image()}\nCOPY . /context\n"
        "RUN cd /context && find . -mindepth 1 -maxdepth 3 | sort\n"
    )
    try:
        result = engine.docker(
            "build",
            "--no-cache",
            "--network",
            "none",
            "--file",
            str(probe),
            str(workspace_dir()),
            check=False,
            timeout=600,
        )
    finally:
        probe.unlink()
    expect(result.returncode == 0, f"Docker could not read the context: {result.stderr[-300:]}")
    sent = {line.strip()[2:] for line in result.stdout.splitlines() if line.strip()[:2] == "./"}
    missing = [p for p in MUST_SEND if p not in sent]
    expect(
        not missing,
        f"The build context lacks {', '.join(missing)}: the Dockerfile copies "
        "them, so re-include them with '!'.",
    )
    leaked = sorted({p for p in sent for bad in MUST_NOT_SEND if bad in p.split("/")})
    expect(
        not leaked,
        f"The build context still contains {', '.join(leaked[:4])}: ignore them "
        "so they neither bloat the image nor break the layer cache.",
    )
    return "Only what the image needs is sent to the engine."


@question(
    "03",
    2,
    hints=[
        "Run the linter yourself: `.venv/bin/hadolint workspace/Dockerfile` lists each rule "
        "broken.",
        'Typical fixes: pip\'s --no-cache-dir, exec-form CMD ["..."], a USER that is not root.',
    ],
    solution="Fix each line hadolint names; the solution notebook's Dockerfile passes.",
)
def q2(answers: Answers):
    from launchpad.linters import hadolint

    findings = hadolint(_dockerfile())
    expect(
        not findings,
        f"hadolint found {len(findings)} problem(s); the first: {findings[0] if findings else ''}",
    )
    return "hadolint is happy: the Dockerfile follows the community's best practices."


def built_image() -> tuple:
    """Build the learner's image (cached layers make repeats fast); return (engine, tag)."""
    dockerfile = _dockerfile()
    engine = _engine()
    _build(engine, dockerfile, workspace_dir(), TAG)
    return engine, TAG


@contextmanager
def _running(engine, tag: str):
    """The learner's image, started and ready; a container that never gets ready is feedback."""
    from launchpad.containers.run import RunningContainer

    with RunningContainer(engine, tag, prefix="launchpad-check") as container:
        try:
            container.wait_ready()
        except NotReady as why:
            raise Incorrect(
                f"The container {why}. Does CMD start uvicorn on $HOST and $PORT?"
            ) from why
        yield container


@question(
    "03",
    3,
    hints=[
        "Two stages: build a venv from /wheels in the first, COPY --from=build /opt/venv in the "
        "second, so pip and the wheels stay out of the final image.",
        'CMD must start uvicorn on $HOST and $PORT: ["sh", "-c", "exec uvicorn api.main:app '
        '--host $HOST --port $PORT"]; exec makes uvicorn PID 1, so it receives SIGTERM.',
    ],
    solution="""# ... (two stages, see the solution notebook), ending with:
WORKDIR /app
USER 10001
CMD ["sh", "-c", "exec uvicorn api.main:app --host $HOST --port $PORT"]""",
)
def q3(answers: Answers):
    import httpx

    engine, tag = built_image()
    with _running(engine, tag) as container:
        good = httpx.post(f"{container.base}/predict", json={"text": "Loved every minute."})
        bad = httpx.post(f"{container.base}/predict", json={"text": ""})
    expect(
        good.status_code == 200 and good.json().get("label") == "POSITIVE",
        f"POST /predict in the container answered {good.status_code}: {good.text[:150]}",
    )
    expect(400 <= bad.status_code < 500, f"An empty text got {bad.status_code} in the container.")
    return "Your service runs in a container, on the port the platform gives it."


@question(
    "03",
    4,
    hints=[
        "Create a user in the final stage (useradd --system --uid 10001 app) and switch with "
        "USER 10001 before CMD.",
        'HEALTHCHECK CMD ["python", "-c", "...urlopen(\'http://127.0.0.1:\' + '
        "os.environ['PORT'] + '/readyz')\"] with a short --interval.",
    ],
    solution=(
        "RUN useradd --system --uid 10001 --no-create-home app\n"
        "USER 10001\n"
        "HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \\\n"
        '    CMD ["python", "-m", "api.healthcheck"]'
    ),
)
def q4(answers: Answers):
    engine, tag = built_image()
    uid = engine.docker(
        "run", "--rm", "--network", "none", "--entrypoint", "id", tag, "-u"
    ).stdout.strip()
    expect(
        uid != "0",
        "The container runs as root: add a user and a USER instruction, so a "
        "bug in the service cannot rewrite the image's files.",
    )
    config = json.loads(engine.docker("image", "inspect", tag).stdout)[0]["Config"]
    expect(config.get("Healthcheck"), "The image has no HEALTHCHECK: add one that asks /readyz.")
    with _running(engine, tag) as container:
        deadline = time.monotonic() + 90
        while (status := container.state()["Health"]["Status"]) == "starting":
            expect(
                time.monotonic() < deadline,
                "The health check stayed 'starting' for 90 s: use a short --interval (5s).",
            )
            time.sleep(1)
    expect(
        status == "healthy",
        f"Docker reports the container {status}: run the HEALTHCHECK "
        "command by hand in the container to see why.",
    )
    return f"Runs as uid {uid}, and Docker knows when it is healthy."


@question(
    "03",
    5,
    hints=[
        "pip and the wheelhouse belong in the build stage only; the final stage copies /opt/venv.",
        "A CUDA build of torch pulls nvidia-* packages: the wheelhouse must hold the CPU-only "
        "wheel.",
    ],
    solution="Keep the two-stage layout of the solution; install only requirements.txt.",
)
def q5(answers: Answers):
    engine, tag = built_image()
    size_gb = json.loads(engine.docker("image", "inspect", tag).stdout)[0]["Size"] / 1e9
    listing = engine.docker(
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "sh",
        tag,
        "-c",
        "pip list --format=freeze 2>/dev/null; ls /wheels 2>/dev/null; true",
    ).stdout
    cuda = [line for line in listing.splitlines() if "nvidia" in line or "cuda" in line]
    expect(
        not cuda,
        f"The image carries CUDA packages ({', '.join(cuda[:2])}): use the CPU-only wheels.",
    )
    expect(
        ".whl" not in listing,
        "The wheels are in the final image: install them in the build "
        "stage and copy only /opt/venv.",
    )
    expect(
        size_gb < 1.6,
        f"The image is {size_gb:.2f} GB; the course's is 1.35 GB. Copy only "
        "the venv, the model and the code into the final stage.",
    )
    return "CPU only and under 1.6 GB: small enough to ship and pull quickly."


QUESTIONS = [q1, q2, q3, q4, q5]
__all__ = ["____", "q1", "q2", "q3", "q4", "q5"]
