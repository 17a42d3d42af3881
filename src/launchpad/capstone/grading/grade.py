"""Grade this service as the course's capstone audit does, one criterion per command.

    python grading/grade.py build      the image builds from the Dockerfile
    python grading/grade.py start      it starts on $HOST/$PORT and /readyz answers
    python grading/grade.py contract   POST /predict: labels, scores, 422 on bad input
    python grading/grade.py latency    p95 of POST /predict, one client, under the limit
    python grading/grade.py size       the image is under the size limit and carries no CUDA
    python grading/grade.py metrics    /metrics counts predictions and times them in a histogram
    python grading/grade.py stop       remove the container

The limits are in grading/criteria.json, written with this file by the course (module 09);
GRADE_P95_MS=... overrides the latency limit and GRADE_PORT=... the port. Each
command prints what it found and exits 0 (pass) or 1 (fail): GitHub Classroom's command grader
gives a criterion its points when its command exits 0 (.github/workflows/classroom.yml). Run
them locally the same way, after `make context`. Standard library and the `docker` CLI only.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRITERIA = json.loads((HERE / "criteria.json").read_text())
TAG = CRITERIA["image"]
CONTAINER = CRITERIA["container"]
PORT = int(os.environ.get("GRADE_PORT", CRITERIA["port"]))
BASE = f"http://127.0.0.1:{PORT}"


class Failed(Exception):
    """The criterion is not met; the message says what was found."""


def docker(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise Failed(f"docker {args[0]} failed: {(result.stderr or result.stdout).strip()[-800:]}")
    return result


def request(method: str, path: str, body: object = None, timeout: float = 30) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    call = urllib.request.Request(
        BASE + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(call, timeout=timeout) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def build() -> str:
    args = ["build", "--tag", TAG]
    if os.environ.get("BASE_IMAGE"):  # a base image other than the Dockerfile's default
        args += ["--build-arg", f"BASE_IMAGE={os.environ['BASE_IMAGE']}"]
    started = time.monotonic()
    docker(*args, ".", timeout=1800)
    return f"built {TAG} in {time.monotonic() - started:.0f} s"


def _running() -> bool:
    found = docker("inspect", "--format", "{{.State.Running}}", CONTAINER, check=False)
    return found.returncode == 0 and found.stdout.strip() == "true"


def start() -> str:
    if _running():
        return f"{CONTAINER} is already running"
    docker("rm", "--force", CONTAINER, check=False)
    docker(
        "run", "--detach", "--name", CONTAINER, "--network", "host",
        "--env", "HOST=127.0.0.1", "--env", f"PORT={PORT}", TAG,
    )  # fmt: skip
    deadline = time.monotonic() + CRITERIA["start_seconds"]
    started = time.monotonic()
    while time.monotonic() < deadline:
        if not _running():
            logs = docker("logs", "--tail", "20", CONTAINER, check=False)
            raise Failed(f"the container stopped:\n{logs.stdout}{logs.stderr}")
        try:
            if request("GET", "/readyz", timeout=2)[0] == 200:
                return f"/readyz answered 200 after {time.monotonic() - started:.0f} s"
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise Failed(f"/readyz did not answer 200 within {CRITERIA['start_seconds']} s")


def _predict(text: object) -> tuple[int, object]:
    status, body = request("POST", "/predict", {"text": text})
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def contract() -> str:
    start()
    for text, label in CRITERIA["examples"]:
        status, body = _predict(text)
        if status != 200 or not isinstance(body, dict):
            raise Failed(f"POST /predict {text!r} answered {status}: {body}")
        if set(body) != {"label", "score"}:
            raise Failed(f"the answer's fields are {sorted(body)}, not label and score")
        if body["label"] != label:
            raise Failed(f"{text!r} was labelled {body['label']}, not {label}")
        if not (isinstance(body["score"], float) and 0 <= body["score"] <= 1):
            raise Failed(f"the score {body['score']!r} is not a probability")
    for bad in ("", " ", "a" * 501):
        status, _ = _predict(bad)
        if status != 422:
            raise Failed(f"POST /predict with {bad[:10]!r}… answered {status}, not 422")
    status, _ = request("POST", "/predict", {"txt": "no text field"})
    if status != 422:
        raise Failed(f"a body without `text` answered {status}, not 422")
    return f"{len(CRITERIA['examples'])} labels right; empty, blank, long and missing text: 422"


def latency() -> str:
    start()
    text = CRITERIA["examples"][0][0]
    for _ in range(5):  # warm-up: the first requests pay for lazy initialisation
        _predict(text)
    times = []
    for _ in range(CRITERIA["latency_requests"]):
        began = time.perf_counter()
        status, _ = _predict(text)
        times.append((time.perf_counter() - began) * 1000)
        if status != 200:
            raise Failed(f"POST /predict answered {status} during the measurement")
    p95 = statistics.quantiles(times, n=20)[-1]
    limit = float(os.environ.get("GRADE_P95_MS", CRITERIA["p95_ms"]))  # a slower runner's own
    summary = f"p95 {p95:.0f} ms, p50 {statistics.median(times):.0f} ms over {len(times)} requests"
    if p95 > limit:
        raise Failed(f"{summary}: over {limit:g} ms")
    return f"{summary} (limit {limit:g} ms)"


def size() -> str:
    info = json.loads(docker("image", "inspect", TAG).stdout)[0]
    gigabytes = info["Size"] / 1e9
    listing = docker(
        "run", "--rm", "--entrypoint", "sh", TAG, "-c", "pip list 2>/dev/null", check=False
    )
    cuda = [
        line.split()[0]
        for line in listing.stdout.splitlines()
        if line.lower().startswith("nvidia-")
    ]
    if cuda:
        raise Failed(f"the image carries CUDA packages: {', '.join(cuda[:3])}")
    if gigabytes > CRITERIA["max_image_gb"]:
        raise Failed(f"the image is {gigabytes:.2f} GB, over {CRITERIA['max_image_gb']} GB")
    return f"{gigabytes:.2f} GB (limit {CRITERIA['max_image_gb']} GB), no CUDA packages"


def metrics() -> str:
    start()
    for text, _ in CRITERIA["examples"]:
        _predict(text)
    status, body = request("GET", "/metrics")
    if status != 200:
        raise Failed(f"GET /metrics answered {status}")
    missing = [name for name in CRITERIA["metrics"] if name not in body]
    if missing:
        raise Failed(f"/metrics has no {', '.join(missing)}")
    if "predict_duration_seconds_bucket" not in body:
        raise Failed("predict_duration_seconds is not a histogram (no _bucket series)")
    return f"/metrics has {', '.join(CRITERIA['metrics'])}"


def stop() -> str:
    docker("rm", "--force", CONTAINER, check=False)
    return f"removed {CONTAINER}"


COMMANDS = {f.__name__: f for f in (build, start, contract, latency, size, metrics, stop)}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(f"usage: python grading/grade.py {{{','.join(COMMANDS)}}}", file=sys.stderr)
        return 2
    try:
        print(f"pass: {COMMANDS[argv[0]]()}")
    except Failed as failure:
        print(f"fail: {failure}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
