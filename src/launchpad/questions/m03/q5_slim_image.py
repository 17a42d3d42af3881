"""The final image carries no CUDA, no wheels, and stays under 1.6 GB."""

import json

from launchpad.checks import DOCKER, Answers, expect, question
from launchpad.containers.learner_image import BUILD_FILES, built_image


@question(
    files=BUILD_FILES,
    needs=[DOCKER],
    hints=[
        "pip and the wheelhouse belong in the build stage only; the final stage copies /opt/venv.",
        "A CUDA build of torch pulls nvidia-* packages: the wheelhouse must hold the CPU-only "
        "wheel.",
    ],
)
def image_is_cpu_only_and_small(answers: Answers):
    engine, tag = built_image()
    size_gb = json.loads(engine.docker("image", "inspect", tag).stdout)[0]["Size"] / 1e9
    listing = engine.docker(
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "sh",
        tag,
        "-c",
        "pip list --format=freeze 2>/dev/null; ls /wheels 2>/dev/null; true",
    ).stdout
    cuda = [line for line in listing.splitlines() if "nvidia" in line or "cuda" in line]
    expect(
        not cuda,
        f"The image carries CUDA packages ({', '.join(cuda[:2])}): use the CPU-only wheels.",
    )
    expect(
        ".whl" not in listing,
        "The wheels are in the final image: install them in the build "
        "stage and copy only /opt/venv.",
    )
    expect(
        size_gb < 1.6,
        f"The image is {size_gb:.2f} GB; the course's is 1.35 GB. Copy only "
        "the venv, the model and the code into the final stage.",
    )
    return "CPU only and under 1.6 GB: small enough to ship and pull quickly."
