"""Main builds, tags and pushes the image, after the gates, with a layer cache."""

from __future__ import annotations

from launchpad import workflows
from launchpad.checks import Answers, NotAttempted, expect, question
from launchpad.questions.m04._shared import WORKFLOW, first, rights, workflow


@question(
    files=[str(WORKFLOW)],
    hints=[
        "The image job waits for the gates, runs only where pushing is right (a push to main) "
        "and may write packages. Its steps: the code, the staged build/ folder, a builder that "
        "can cache, a login, the tags, then build and push.",
        "`needs: [lint, test]` gates the image; `if: github.event_name == 'push' && github.ref "
        "== 'refs/heads/main'` keeps pull requests from pushing.",
        "Steps: checkout, setup-python, `make install`, `make context`, docker/setup-buildx-action,"
        " docker/login-action (registry: ${{ vars.IMAGE_REGISTRY }}, username: "
        "${{ github.actor }}, password: ${{ secrets.GITHUB_TOKEN }}), docker/metadata-action, "
        "docker/build-push-action.",
        "docker/build-push-action: `context: .` (the folder, with build/), `push: true`, tags "
        "from docker/metadata-action (`type=sha,format=long` and `type=raw,value=latest`), "
        "`cache-from: type=gha`, `cache-to: type=gha,mode=max`.",
    ],
)
def image_is_pushed_from_main_after_the_gates(answers: Answers):
    ci = workflow()
    spec = ci.jobs.get("image")
    if not spec:
        raise NotAttempted("There is no `image` job yet.")
    needs = spec.get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    expect(
        {"lint", "test"} <= set(needs),
        "The image job does not wait for lint and test (`needs: [lint, test]`): a broken "
        "commit would still be pushed.",
    )
    builds = ci.uses("image", "docker/build-push-action")
    expect(builds, "The image job has no docker/build-push-action step.")
    expect(workflows.pushes(builds[0]), "docker/build-push-action does not `push: true`.")
    first(workflows.push_on_pull_request(ci))
    logins = ci.uses("image", "docker/login-action")
    expect(
        logins,
        "The image job never logs in to the registry (docker/login-action): the push would be "
        "refused.",
    )
    given = logins[0].get("with") or {}
    missing = [key for key in ("registry", "username", "password") if key not in given]
    expect(
        not missing,
        f"docker/login-action has no `{missing[0] if missing else ''}:` input: it needs all "
        "three (where, who, with which token), or the registry refuses the push.",
    )
    granted = ci.permissions("image")
    expect(
        isinstance(granted, dict) and granted.get("packages") == "write",
        f"The image job's token has {rights(granted)}, without `packages: write`: "
        "GitHub's registry would refuse the push.",
    )
    others = [
        j for j, s in ci.jobs.items() if j != "image" and "write" in str(s.get("permissions"))
    ]
    expect(not others, f"Job `{others[0] if others else ''}` can write too: only `image` should.")
    options = builds[0].get("with") or {}
    expect(
        str(options.get("context", "")).startswith("."),
        "docker/build-push-action has no `context: .`: by default it builds from the git commit, "
        "which has no build/ folder (`make context` staged it on the runner).",
    )
    tags = workflows.image_tags(ci, "image", builds[0])
    expect(
        ("github.sha" in tags or "type=sha" in tags) and "latest" in tags,
        "The image is not tagged with both the commit SHA and `latest`: the SHA traces every "
        "image back to its code (and lets a deploy roll back to it), `latest` is what a plain "
        "pull gets.",
    )
    expect(
        "type=gha" in str(options.get("cache-from", ""))
        and "type=gha" in str(options.get("cache-to", "")),
        "The build has no layer cache (`cache-from`/`cache-to` of GitHub's cache): every run "
        "would reinstall PyTorch from scratch, minutes per build.",
    )
    order = [str(s.get("uses", "")).split("@")[0] for s in ci.steps("image")]
    build_at = order.index("docker/build-push-action")
    # `make install context` stages as well as `make context`: read the targets, not the text.
    staged = [
        target
        for step in ci.steps("image")[:build_at]
        for line in str(step.get("run", "")).splitlines()
        for target in workflows.make_targets(line.strip()) or []
    ]
    expect(
        "context" in staged,
        "The build runs without `make context` before it: the Dockerfile copies build/wheels "
        "and build/model, which a fresh runner does not have.",
    )
    expect(
        "docker/setup-buildx-action" in order[:build_at],
        "Buildx is not set up before the build: Docker's default builder cannot export a "
        "`type=gha` cache.",
    )
    return "Main builds, tags and pushes the image, after the gates, with a layer cache."
