"""The course model, built in the background so that JupyterLab opens at once (issue 19).

Module 00 does not need the model; the first cell of module 01 that does waits for it
(`build_lock`). So `make lab` runs `launchpad model --background`, then JupyterLab: the build
runs as a detached process (`python -m launchpad.model.background`), the course model then its
ONNX export. Its progress bars go to the log; a line in the terminal says when it starts, ends
or fails; the environment probe of module 00 shows where it is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from launchpad.model.build_lock import building, log_path

TAG = "[course model]"


def progress() -> str:
    """The background build's latest progress line (tqdm redraws with carriage returns)."""
    try:
        text = log_path().read_text(errors="replace")
    except OSError:
        return ""
    lines = [part.strip() for part in text.replace("\r", "\n").split("\n") if part.strip()]
    return lines[-1] if lines else ""


def start() -> str:
    """Start the background build unless the model is ready or being built; one line to say
    what happened, for the terminal that runs `make lab`."""
    from launchpad.model.build import model_dir, verify

    folder = model_dir()
    if building(folder):
        return f"{TAG} already building in the background; progress: tail -f {log_path()}"
    if folder.exists() and verify(folder) is None:
        return f"{TAG} ready: {folder}"
    log = log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        subprocess.Popen(
            [sys.executable, "-m", "launchpad.model.background"],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            # Its own session: stopping JupyterLab with Ctrl-C leaves the build running.
            start_new_session=True,
            env={**os.environ, "LAUNCHPAD_TERMINAL": os.ttyname(2) if os.isatty(2) else ""},
        )
    return (
        f"{TAG} building in the background (about 5 minutes the first time on 2 cores); "
        f"progress: tail -f {log}. Module 00 does not need it; module 01 waits for it."
    )


def _build_in_background() -> int:
    """The detached process: the model, then its ONNX export, each under its lock."""
    from launchpad.model.build import ensure
    from launchpad.model.onnx_export import ensure_onnx

    terminal_name = os.environ.get("LAUNCHPAD_TERMINAL", "")

    def tell(text: str) -> None:
        print(f"{TAG} {text}", flush=True)
        if terminal_name:  # the terminal `make lab` runs in, if it still exists
            try:
                with open(terminal_name, "w") as terminal:
                    terminal.write(f"{TAG} {text}\n")
            except OSError:
                pass

    started = time.monotonic()
    try:
        folder = ensure()
        tell(f"ready in {time.monotonic() - started:.0f} s: {folder}")
        ensure_onnx(folder)
        tell(f"ONNX export ready ({time.monotonic() - started:.0f} s in all)")
    except Exception as error:  # the detached build has no one else to tell
        tell(f"the build failed ({type(error).__name__}: {error}); run `make model` to see why")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_build_in_background())
