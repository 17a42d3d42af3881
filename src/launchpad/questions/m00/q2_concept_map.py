"""Match each ML idea to the backend idea it resembles."""

from launchpad.checks import Answers, expect, question

CONCEPTS = {
    "model": "C",
    "tokenizer": "E",
    "batch": "A",
    "drift": "B",
    "model registry": "D",
}


@question(
    names=["concept_map"],
    hints=[
        "The model is what you ship, like a compiled binary; drift is the data changing under you.",
        "A model registry keeps versions you can promote and roll back, like an image registry.",
    ],
)
def concepts_are_matched(answers: Answers):
    concept_map = answers.value("concept_map")
    expect(
        isinstance(concept_map, dict), "`concept_map` should be a dict like {'model': 'A', ...}."
    )
    missing = [k for k in CONCEPTS if k not in concept_map]
    expect(not missing, f"`concept_map` has no entry for: {', '.join(missing)}.")
    wrong = [k for k, v in CONCEPTS.items() if str(concept_map[k]).strip().upper() != v]
    expect(
        not wrong,
        f"{len(wrong)} of {len(CONCEPTS)} are not matched yet: "
        f"{', '.join(wrong)}. Try .hint() for a nudge.",
    )
    return "That map will carry you through the course."
