"""What a slow check is doing, said as it goes: a learner cannot tell a 40-second image build
from a hang (issue 18). A check that may take more than a few seconds wraps each slow part:

    with step("Building your image", usually="40 s on a 2-core laptop"):
        build(...)

which prints `… Building your image (usually 40 s on a 2-core laptop)` at once, `  still at it,
30 s` every HEARTBEAT seconds while the part runs, and `  done in 42 s` at the end, so no
stretch of a check is silent for longer than HEARTBEAT. The lines go to stdout, which Jupyter
shows while the cell runs; the verdict box comes after them as before.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

HEARTBEAT = 8.0  # seconds between "still at it" lines: under the 10-second bound
# A heartbeat line, as stored notebooks leave it out (authoring.execute.normalise): the page
# shows each step and how long it took, not a line every 8 s.
HEARTBEAT_LINE = re.compile(r"^  still at it, \d+ s\n", re.MULTILINE)


def say(line: str) -> None:
    print(line, file=sys.stdout, flush=True)


@contextmanager
def step(what: str, usually: str = "") -> Iterator[None]:
    started = time.monotonic()
    say(f"… {what}" + (f" (usually {usually})" if usually else ""))
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT):
            say(f"  still at it, {time.monotonic() - started:.0f} s")

    # A daemon thread: a kernel interrupt (or the learner's KeyboardInterrupt) still ends the
    # cell, and the thread ends with the `finally` below.
    ticker = threading.Thread(target=beat, name="launchpad-progress", daemon=True)
    ticker.start()
    ended = "stopped after"
    try:
        yield
        ended = "done in"
    finally:
        stop.set()
        ticker.join()
        say(f"  {ended} {time.monotonic() - started:.0f} s")
