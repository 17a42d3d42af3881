"""weights_sha256: the content hash of the model's weights file."""

import hashlib

from launchpad.checks import Answers, expect, question


@question(
    names=["weights_sha256"],
    hints=[
        "Read the file in binary mode: (model_path / 'model.safetensors').read_bytes().",
        "hashlib.sha256(data).hexdigest() gives the 64-character hex string.",
    ],
)
def weights_are_hashed_by_content(answers: Answers):
    from launchpad.model.data import sha256_file
    from launchpad.model.source import resolve

    value = answers.value("weights_sha256")
    weights = resolve().path / "model.safetensors"  # whichever model the learner uses
    actual = sha256_file(weights)
    expect(
        isinstance(value, str),
        f"`weights_sha256` should be a hex string, got "
        f"{type(value).__name__}. Did you forget .hexdigest()?",
    )
    expect(
        value
        not in {
            hashlib.sha256(str(weights).encode()).hexdigest(),
            hashlib.sha256(weights.name.encode()).hexdigest(),
        },
        "That is the hash of the file's name, not of its bytes: read the file.",
    )
    expect(
        value.lower() == actual,
        "That is not the sha256 of model.safetensors in the course "
        "model folder. Hash the whole file, in binary mode.",
    )
    return "Pin artifacts by content hash, just as you pin images by digest."
