"""`python -m launchpad.authoring.corpus [NN ...]`: run the answer corpus of the modules named
(default: every module that has one), print each case as it is judged, then the known wrong
verdicts and the table. Exit status 1 when a verdict is not the one the corpus expects."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from launchpad.authoring.corpus.cases import corpus_modules
from launchpad.authoring.corpus.results import known_wrong_report, table
from launchpad.authoring.corpus.runner import default_corpus, run_corpus, sweep_images


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launchpad.authoring.corpus")
    parser.add_argument("modules", nargs="*", help="module numbers, e.g. 01 07 (default: all)")
    parser.add_argument("--corpus", type=Path, default=default_corpus(), help="the case folder")
    args = parser.parse_args(argv)
    modules = [m.zfill(2) for m in args.modules] or corpus_modules(args.corpus)
    results = run_corpus(modules, corpus=args.corpus, log=lambda line: print(line, flush=True))
    sweep_images()
    print()
    known = known_wrong_report(results)
    if known:
        print(known, end="\n\n")
    print(table(results))
    return 1 if any(m.unexpected for m in results) else 0


if __name__ == "__main__":
    sys.exit(main())
