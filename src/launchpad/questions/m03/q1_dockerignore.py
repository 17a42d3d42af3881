""".dockerignore: the build context holds what the image needs and nothing else."""

from launchpad.checks import DOCKER, Answers, NotAttempted, expect, question
from launchpad.containers import learner_image
from launchpad.paths import workspace_dir

MUST_SEND = ("api/main.py", "api/model.py", "requirements.txt", "build/wheels", "build/model")
MUST_NOT_SEND = (".launchpad", "__pycache__", "tests", "predict.py")


@question(
    files=[".dockerignore", "api/", "requirements.txt", "build/"],
    needs=[DOCKER],
    hints=[
        "Start from '*' (ignore everything), then re-include what the Dockerfile copies with '!'.",
        "Exclude caches and anything the image does not need: __pycache__, .launchpad, tests.",
    ],
)
def context_holds_only_what_the_image_needs(answers: Answers):
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
    sent = learner_image.sent_context(workspace_dir())
    missing = [p for p in MUST_SEND if p not in sent]
    expect(
        not missing,
        f"The build context lacks {', '.join(missing)}: the Dockerfile copies them, so its "
        "COPY fails and nothing is built.",
    )
    leaked = sorted({p for p in sent for bad in MUST_NOT_SEND if bad in p.split("/")})
    expect(
        not leaked,
        f"The build context still contains {', '.join(leaked[:4])}: every build sends them "
        "to the engine, a COPY of the folder puts them in the image, and a change to them "
        "invalidates the layer cache.",
    )
    return "Only what the image needs is sent to the engine."
