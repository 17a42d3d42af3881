"""`launchpad` command line: the verbs the Makefile calls.

launchpad model        build the course model if needed; print its folder (--background: detached)
launchpad onnx         export the course model to ONNX int8 if needed; print its folder last
launchpad course       rewrite the README's roadmap and the notebooks' titles from course.yml
launchpad exercises    regenerate exercises/ from solutions/
launchpad execute NB   execute notebooks in place and normalise them (maintainers)
launchpad probe        print the environment probe from module 00 (--torch: only the CUDA note)
launchpad image        build the service image (needs Docker); --variant onnx: the slim one
launchpad stage        put the wheels and the model under build/ for `docker build`
launchpad requirements write the images' requirements files from pyproject.toml
launchpad prune        remove what the course built on the Docker engine, except the current tags
launchpad lint         hadolint, actionlint and checkov on the repository's files
launchpad cloudrun     write deploy/cloudrun/service.yaml with a release's image filled in
launchpad registry     the model registry (module 08): status, register, promote, rollback
launchpad workshop-reset  restore the exercises and empty the workspace, after a backup
launchpad classroom    the live classroom of a workshop; `join` / `leave` for learners
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="launchpad", description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    model = verbs.add_parser(
        "model", help="build (or verify) the course model and print its folder"
    )
    model.add_argument(
        "--background",
        action="store_true",
        help="start the build (model, then ONNX export) as a detached process and return",
    )
    verbs.add_parser("onnx", help="export the course model to ONNX int8; print its folder")
    ex = verbs.add_parser("exercises", help="generate exercise notebooks from solutions")
    ex.add_argument("--solutions", type=Path, default=Path("solutions"))
    ex.add_argument("--out", type=Path, default=Path("exercises"))
    run = verbs.add_parser("execute", help="execute notebooks in place and normalise them")
    run.add_argument("notebooks", nargs="+", type=Path)
    probe_verb = verbs.add_parser("probe", help="check this environment")
    probe_verb.add_argument(
        "--torch", action="store_true", help="only say if PyTorch came with CUDA wheels"
    )
    image = verbs.add_parser("image", help="build the service image (sentiment-api:latest)")
    stage = verbs.add_parser("stage", help="stage the wheels and the model under ROOT/build/")
    stage.add_argument("--root", type=Path, default=Path("."))
    for verb in (image, stage):
        verb.add_argument(
            "--variant",
            choices=("torch", "onnx"),
            default="torch",
            help="torch: PyTorch (default); onnx: the slim image on the int8 export",
        )
    course = verbs.add_parser("course", help="the README and notebook titles, from course.yml")
    course.add_argument("--check", action="store_true", help="only say what is out of date")
    pins = verbs.add_parser("requirements", help="the images' requirements, from pyproject.toml")
    pins.add_argument("--check", action="store_true", help="only say which ones are stale")
    verbs.add_parser("prune", help="remove the course's old images and containers from Docker")
    verbs.add_parser("lint", help="hadolint, actionlint and checkov on the repository")
    cloudrun = verbs.add_parser("cloudrun", help="render the Cloud Run service for an image")
    cloudrun.add_argument("--image", required=True)
    cloudrun.add_argument("--out", type=Path, default=Path("build/cloudrun-service.yaml"))
    registry = verbs.add_parser("registry", help="the model registry: versions and aliases")
    steps = registry.add_subparsers(dest="step", required=True)
    steps.add_parser("status", help="list the versions, their aliases and gate verdicts")
    register = steps.add_parser("register", help="log a model folder as the new challenger")
    register.add_argument("--model", type=Path, help="the folder (default: the course model)")
    register.add_argument("--description", default="", help="why this version exists")
    promote = steps.add_parser("promote", help="gate the challenger; if it passes, it serves")
    promote.add_argument("--version", type=int, help="a version other than the challenger")
    steps.add_parser("rollback", help="give the champion alias back to the previous champion")
    reset = verbs.add_parser("workshop-reset", help="a clean start for a new cohort")
    reset.add_argument("--yes", action="store_true", help="do not ask before resetting")
    reset.add_argument("--exercises", type=Path, default=Path("exercises"))
    reset.add_argument("--solutions", type=Path, default=Path("solutions"))
    room = verbs.add_parser("classroom", help="the live classroom for a workshop (instructor)")
    room.add_argument("--host", default="127.0.0.1", help="0.0.0.0 opens it to the room's network")
    room.add_argument("--port", type=int, default=8765)
    room.add_argument("--db", type=Path, default=Path("classroom/room.sqlite"))
    join = verbs.add_parser("join", help="send your checks' verdicts to a classroom (learner)")
    join.add_argument("address", help="the address the instructor shows, http://HOST:PORT")
    join.add_argument("code", help="the join code the instructor shows")
    join.add_argument("name", help="your name, as the instructor will see it")
    verbs.add_parser("leave", help="stop sending verdicts to the classroom")
    args = parser.parse_args(argv)

    if args.verb == "model" and args.background:
        from launchpad.model.background import start

        print(start())
    elif args.verb in ("model", "onnx"):
        from launchpad.model.build import ensure
        from launchpad.model.data import DataError
        from launchpad.model.onnx_export import ensure_onnx

        try:
            print((ensure() if args.verb == "model" else ensure_onnx()).resolve())
        except DataError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    elif args.verb == "exercises":
        from launchpad.authoring.generate import generate_all

        for path in generate_all(args.solutions, args.out):
            print(f"wrote {path}")
    elif args.verb == "execute":
        from launchpad.authoring.execute import execute_in_place

        for path in args.notebooks:
            execute_in_place(path)
            print(f"executed {path}")
    elif args.verb in ("image", "stage"):
        from launchpad.containers import engine, image
        from launchpad.model.onnx_export import model_dir_for

        variant = image.VARIANTS[args.variant]
        try:
            model_dir = model_dir_for(variant.backend)
            if args.verb == "stage":
                image.stage(model_dir, root=args.root.resolve(), variant=variant)
                print(f"staged {args.root / variant.staged}: requirements.txt, wheels/, model/")
                return 0
            docker = engine.find_or_start()
            try:
                result = image.build(docker, model_dir, variant)
            finally:
                docker.stop()
        except engine.EngineError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"built {result.tag} on {result.base_image} in {result.seconds:.0f} s")
    elif args.verb == "requirements":
        return _requirements(args.check)
    elif args.verb == "course":
        from launchpad.course.__main__ import main as course_main

        return course_main(["--check"] if args.check else [])
    elif args.verb == "prune":
        return _prune()
    elif args.verb == "lint":
        from launchpad.linters import lint_repository

        findings = lint_repository()
        for finding in findings:
            print(finding)
        return 1 if findings else 0
    elif args.verb == "cloudrun":
        from launchpad.deploy.render import render_cloudrun
        from launchpad.paths import REPO_ROOT

        source = REPO_ROOT / "deploy" / "cloudrun" / "service.yaml"
        try:
            print(f"wrote {render_cloudrun(source, args.image, args.out)} for {args.image}")
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    elif args.verb == "registry":
        return _registry(args)
    elif args.verb == "classroom":
        from launchpad.classroom.server import serve

        serve(args.host, args.port, args.db)
    elif args.verb in ("join", "leave"):
        from launchpad.classroom import outbox

        try:
            print(
                outbox.join(args.address, args.code, args.name)
                if args.verb == "join"
                else outbox.leave()
            )
        except outbox.JoinError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    elif args.verb == "workshop-reset":
        return _workshop_reset(args)
    elif args.verb == "probe" and args.torch:
        from launchpad.probe import cuda_notice

        if notice := cuda_notice():
            print(notice, file=sys.stderr)
    elif args.verb == "probe":
        from launchpad.probe import probe

        for line in probe().lines():
            print(line)
    return 0


def _prune() -> int:
    from launchpad.containers import engine
    from launchpad.containers.housekeeping import prune

    found = engine.find()
    if found is None:
        print("No Docker engine is running: nothing to prune.")
        return 0
    print(prune(found))
    return 0


def _requirements(check: bool) -> int:
    from launchpad.containers.image import VARIANTS, stale_requirements, write_requirements
    from launchpad.paths import REPO_ROOT

    stale = stale_requirements() if check else write_requirements()
    for variant in VARIANTS.values():
        state = ("stale" if check else "written") if variant.requirements in stale else "current"
        print(f"{variant.requirements.relative_to(REPO_ROOT)}: {state}")
    return 1 if check and stale else 0


def _registry(args: argparse.Namespace) -> int:
    import logging

    from launchpad.lifecycle.registry import PromotionRefused, Registry, RegistryError

    logging.getLogger("mlflow").setLevel(logging.WARNING)  # not "creating tables..." each time

    try:
        registry = Registry()
        if args.step == "register":
            from launchpad.model.source import resolve

            folder = args.model or resolve().path
            version = registry.register(folder, args.description)
            print(f"registered {folder} as version {version}, the challenger")
        elif args.step == "promote":
            print(registry.promote(args.version).summary())
            print(f"version {registry.alias('champion')} is the champion")
        elif args.step == "rollback":
            current, previous = registry.rollback()
            print(f"rolled back: the champion is version {previous} again (was {current})")
        print(registry.status())
    except PromotionRefused as refused:
        print(refused.report.summary())
        print("not promoted: the champion is unchanged", file=sys.stderr)
        return 1
    except RegistryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _workshop_reset(args: argparse.Namespace) -> int:
    from launchpad.paths import workspace_dir
    from launchpad.workshop import plan, reset

    workspace = workspace_dir()
    todo = plan(args.exercises, args.solutions, workspace)
    if todo.empty:
        print("Nothing to reset: the exercises are as generated and the workspace is empty.")
        return 0
    print(todo.describe())
    if not args.yes:
        if not sys.stdin.isatty():
            print("Nothing changed. To reset, run: make workshop-reset YES=1", file=sys.stderr)
            return 1
        if input("Reset now? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    reset(todo, workspace)
    print(f"Reset done; the previous work is in {todo.backup}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
