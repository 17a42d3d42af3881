"""The answer corpus: every question proven on right and wrong answers, run as a learner runs
them (issue 18).

- `cases`: the case files, `tests/corpus/mNN/qK.yml` (their format is documented there);
- `plan`: which cells of an exercise notebook answer which question, and what a case puts there;
- `clone`: the scratch clone of the repository, and the workspace put back between cases;
- `kernel`: one kernel driven cell by cell, with time limits and a way back after a crash;
- `in_kernel`: what runs inside that kernel (the names put back, the verdicts kept as data);
- `runner`: `run_module("01")` / `run_corpus([...])`; `results`: the verdicts and the table.

`python -m launchpad.authoring.corpus [NN ...]` (`make corpus`) runs it for course authors.
Importing this package does nothing: the kernel imports `in_kernel` alone.
"""
