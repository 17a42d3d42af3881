"""What a portfolio repository is made of: the workspace's files it copies, each with the module
whose exercise makes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Piece:
    path: str
    what: str
    module: str


PIECES = (
    Piece("predict.py", "the prediction script", "01"),
    Piece("api/main.py", "the service", "02"),
    Piece("api/model.py", "the model loader", "02"),
    Piece("api/schemas.py", "the request and response schemas", "02"),
    Piece("tests/test_api.py", "the service's tests", "02"),
    Piece("Dockerfile", "the image", "03"),
    Piece(".dockerignore", "the build context's filter", "03"),
    Piece("api/healthcheck.py", "the image's health check", "03"),
    Piece("requirements.txt", "the service's pinned libraries", "03"),
    Piece("Makefile", "the verbs CI calls", "04"),
    Piece("requirements-dev.txt", "the pinned lint and test tools", "04"),
    Piece(".github/workflows/ci.yml", "the CI/CD workflow", "04"),
    Piece(".pre-commit-config.yaml", "the pre-commit hooks", "04"),
    Piece("deploy/cloudrun.yaml", "the Cloud Run service", "05"),
    Piece("deploy/k8s.yaml", "the Kubernetes manifests", "05"),
    Piece("monitoring/alerts.yml", "the alert rules", "07"),
)
COPIED_TREES = ("api", "tests")  # every file under these, besides the pieces
OPTIONAL = ("pyproject.toml",)
# The workspace's own folders, made or not yet: a portfolio written into one would mix with the
# learner's files. The pieces' folders, and those the course fills (the staged build context,
# the ONNX export, the MLflow store); hidden ones (`.launchpad/`) are refused too.
OWN_FOLDERS = frozenset(
    {p.path.split("/")[0] for p in PIECES if "/" in p.path}
    | set(COPIED_TREES)
    | {"build", "onnx", "mlflow"}
)


def missing_pieces(workspace: Path) -> list[Piece]:
    """Pieces absent from the workspace, or unfinished as `ensure_project` sees them: still the
    exercise's stub, or raising NotImplementedError (one definition, so the portfolio never
    refuses a file that the reference answers would keep)."""
    from launchpad.authoring.reference import module_stubs, unfinished

    stubs = {module: module_stubs(module) for module in {piece.module for piece in PIECES}}
    return [
        piece
        for piece in PIECES
        if not (workspace / piece.path).is_file()
        or unfinished((workspace / piece.path).read_text(), stubs[piece.module].get(piece.path))
    ]
