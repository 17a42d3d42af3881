"""Fill in the image a descriptor deploys: the file in git names a placeholder tag, a release names
the image CI pushed. The rendered file is validated again before anything uses it."""

from __future__ import annotations

from pathlib import Path

import yaml

from launchpad.deploy.validate import cloudrun_problems
from launchpad.yamlfile import documents


def render_cloudrun(source: Path, image: str, target: Path) -> Path:
    """Write `source` with its container image set to `image` to `target`; ValueError if the
    result is not a valid Cloud Run service."""
    [service] = documents(source)
    service["spec"]["template"]["spec"]["containers"][0]["image"] = image
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"# Rendered from {source.name} for {image}; do not edit.\n")
    with target.open("a") as out:
        yaml.safe_dump(service, out, sort_keys=False)
    if problems := cloudrun_problems(target):
        raise ValueError("; ".join(problems))
    return target
