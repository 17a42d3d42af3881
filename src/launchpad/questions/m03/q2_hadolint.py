"""The Dockerfile passes hadolint, the community's Dockerfile linter."""

from launchpad.checks import Answers, expect, question
from launchpad.containers.learner_image import dockerfile


@question(
    files=["Dockerfile"],
    hints=[
        "Run the linter yourself: `.venv/bin/hadolint workspace/Dockerfile` lists each rule "
        "broken.",
        'Typical fixes: pip\'s --no-cache-dir, exec-form CMD ["..."], a USER that is not root.',
    ],
)
def dockerfile_passes_hadolint(answers: Answers):
    from launchpad.linters import hadolint

    findings = hadolint(dockerfile())
    expect(
        not findings,
        f"hadolint found {len(findings)} problem(s); the first: {findings[0] if findings else ''}",
    )
    return "hadolint is happy: the Dockerfile follows the community's best practices."
