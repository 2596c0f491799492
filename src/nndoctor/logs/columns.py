"""Which columns of a log hold the training loss, the validation loss, the step, the epoch, the rate.

Loggers name them differently: Keras `loss`/`val_loss`, Lightning `train_loss_step`/`val_loss`, Hugging
Face `loss`/`eval_loss`, TensorBoard `Loss/train`/`Loss/val` or `train/epoch_loss`. Names are split into
lower-case words (at `_`, `/`, `-`, `.`, spaces and camelCase) and judged by their words, so any
spelling of "validation loss" is found; the user names the column when the guess is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import LogError

LOSS_WORDS = {"loss", "nll", "xent", "crossentropy", "objective", "cost"}
VAL_WORDS = {"val", "valid", "validation", "eval", "evaluation", "dev", "holdout", "test", "testing"}
TEST_WORDS = {"test", "testing"}  # a test set is the validation set of last resort
TRAIN_WORDS = {"train", "training", "trn"}
# words that say nothing about which loss this is: `train_loss_step`, `loss/total`, `epoch_loss`
NEUTRAL_WORDS = {"loss", "step", "epoch", "total", "avg", "mean", "batch", "overall", "running", "smoothed"}
NOT_LOSS_WORDS = {"lr", "rate", "runtime", "time", "seconds", "per", "samples", "flos", "acc", "accuracy"}
STEP_NAMES = ("step", "global_step", "trainer/global_step", "iteration", "iter", "it", "_step", "steps")
EPOCH_NAMES = ("epoch", "epochs")
LR_NAMES = ("lr", "learning_rate", "learning-rate", "learningrate")


def words(name: str) -> list[str]:
    """The lower-case words of a column name: "Loss/train" -> ["loss", "train"], "valLoss" -> ["val", "loss"]."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def is_loss(name: str) -> bool:
    """Whether the name reads as a loss (and not a rate, a time or an accuracy)."""
    found = set(words(name))
    return bool(found & LOSS_WORDS) and not found & NOT_LOSS_WORDS


def is_validation(name: str) -> bool:
    return bool(set(words(name)) & VAL_WORDS)


@dataclass(frozen=True)
class Columns:
    """The columns chosen in one log; `guessed` says which were guessed rather than named by the user."""

    train: str
    val: str | None
    step: str | None
    epoch: str | None
    lr: str | None
    guessed: tuple[str, ...] = ()


def choose_columns(
    counts: Mapping[str, int],
    *,
    train: str | None = None,
    val: str | None = None,
    source: str = "the log",
) -> Columns:
    """Pick the columns of a log from its names and how many numbers each holds.

    `counts` maps every column name, in the log's order, to its number of finite values. `train` and
    `val` are the user's names (checked to exist); otherwise they are guessed: a loss word and no
    validation word for train, a loss word and a validation word for validation, preferring plain names
    (`loss`, `train_loss`) over component losses (`kl_loss`), then the column with the most values
    (Lightning's `train_loss_step` over `train_loss_epoch`), then validation over test.
    Raises LogError naming the columns that exist when no training loss can be found.
    """
    names = list(counts)
    for given, option in ((train, "--train"), (val, "--val")):
        if given is not None and given not in counts:
            raise LogError(f"{source} has no column {given!r} ({option}); its columns: {_listing(names)}")
    guessed = []
    if train is None:
        train = _best(
            [n for n in names if is_loss(n) and not is_validation(n) and counts[n] > 0], counts, TRAIN_WORDS
        )
        if train is None:
            raise LogError(
                f"{source}: no training loss column found; its columns: {_listing(names)} "
                "(name it with --train COLUMN)"
            )
        guessed.append("train")
    if counts.get(train, 0) == 0:
        raise LogError(f"{source}: column {train!r} holds no number; its columns: {_listing(names)}")
    if val is None:
        candidates = [n for n in names if is_loss(n) and is_validation(n) and counts[n] > 0 and n != train]
        preferred = [n for n in candidates if not set(words(n)) & TEST_WORDS] or candidates
        val = _best(preferred, counts, VAL_WORDS)
        if val is not None:
            guessed.append("val")
    return Columns(
        train=train,
        val=val,
        step=_first_named(names, STEP_NAMES, counts),
        epoch=_first_named(names, EPOCH_NAMES, counts),
        lr=_learning_rate(names, counts),
        guessed=tuple(guessed),
    )


def _best(candidates: list[str], counts: Mapping[str, int], role_words: set[str]) -> str | None:
    """The plainest name (only neutral and role words), then the most values, then the first in the log."""
    if not candidates:
        return None

    def rank(item: tuple[int, str]) -> tuple[int, int, int]:
        index, name = item
        extra = set(words(name)) - NEUTRAL_WORDS - role_words - LOSS_WORDS
        return (1 if extra else 0, -counts[name], index)

    return min(enumerate(candidates), key=rank)[1]


def _first_named(names: list[str], choices: tuple[str, ...], counts: Mapping[str, int]) -> str | None:
    lowered = {name.lower(): name for name in names if counts.get(name, 0) > 0}
    for choice in choices:
        if choice in lowered:
            return lowered[choice]
    return None


def _learning_rate(names: list[str], counts: Mapping[str, int]) -> str | None:
    """`lr`, `learning_rate`, Lightning's `lr-SGD`, Hugging Face's `train/learning_rate`."""
    found = [
        n
        for n in names
        if counts.get(n, 0) > 0
        and ("lr" in words(n) or {"learning", "rate"} <= set(words(n)) or "learningrate" in words(n))
    ]
    return min(found, key=lambda n: (len(words(n)), names.index(n))) if found else None


def _listing(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "") if names else "none"
