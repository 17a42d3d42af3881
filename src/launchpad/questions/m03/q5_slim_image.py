"""The final image carries no CUDA, no wheels, and stays under 1.6 GB."""

import json

from launchpad.checks import DOCKER, Answers, expect, question
from launchpad.containers.image import MAX_IMAGE_GB
from launchpad.containers.learner_image import BUILD_FILES, built_image, run_once

# What the final image holds, read from inside it: pip's list (when it has pip) and a search of
# its files, which also sees a venv without pip and wheels copied anywhere. Python's own bundled
# wheels (ensurepip's, Debian's python-wheels) are not the wheelhouse.
SCAN = (
    "pip list --format=freeze 2>/dev/null; "
    "find / -xdev \\( -name '*.whl' ! -path '*/ensurepip/*' ! -path '/usr/share/python-wheels/*'"
    " -o -name 'libtorch_cuda*' -o -name 'libcudart*' -o -name 'libnccl*' \\) -print 2>/dev/null"
    " | head -20; true"
)


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
    from launchpad.checks.progress import step

    engine, tag = built_image()
    size_gb = json.loads(engine.docker("image", "inspect", tag).stdout)[0]["Size"] / 1e9
    with step("Looking through your image's files", usually="2 s on a 2-core laptop"):
        listing = run_once(engine, tag, "sh", "-c", SCAN).splitlines()
    cuda = [line for line in listing if "nvidia" in line or "cuda" in line]
    expect(
        not cuda,
        f"The image carries CUDA packages ({', '.join(cuda[:2])}): GPU libraries, several GB, "
        "that a CPU-only server never loads but every deploy pulls.",
    )
    wheels = [line for line in listing if line.endswith(".whl")]
    expect(
        not wheels,
        f"The wheels are in the final image ({', '.join(wheels[:2])}, ...): they are installed "
        "already, so their hundreds of MB ship twice.",
    )
    expect(
        size_gb < MAX_IMAGE_GB,
        f"The image is {size_gb:.2f} GB, over {MAX_IMAGE_GB} GB (the course's is 1.35 GB): "
        "something only the build needs ships in it, and every deploy and scale-out pulls it.",
    )
    return f"CPU only and under {MAX_IMAGE_GB} GB: small enough to ship and pull quickly."
