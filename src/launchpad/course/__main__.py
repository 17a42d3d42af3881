"""`python -m launchpad.course`: rewrite the README's roadmap and the notebooks' titles from
course.yml. `--check`: write nothing, exit 1 if any is out of date."""

from __future__ import annotations

import argparse
import sys

from launchpad.course.manifest import CourseError
from launchpad.course.sync import stale, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launchpad.course", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only say what is out of date")
    args = parser.parse_args(argv)
    try:
        paths = stale() if args.check else write()
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"{'out of date' if args.check else 'wrote'}: {path}")
    return 1 if args.check and paths else 0


if __name__ == "__main__":
    sys.exit(main())
