"""Checks on the data itself, read from the profile of inputs and targets in the store.

`store.structure["data_profile"]` is written by `nndoctor.data.profile` (from arrays, a Dataset, a
DataLoader or a file; later by the live monitor from sampled batches). The model's side, when the store
has it (`loss_functions`, `modules`), says how many outputs there are and whether inputs feed an
embedding. Every check is quiet when there is no profile.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..data.live import class_spread
from ..data.profile import DataProfile
from ..findings import Finding, Severity
from ..loss_kinds import BINARY_LOSSES, CLASS_INDEX_LOSSES, COMPARED_INPUTS_LOSSES, SIGN_TARGET_LOSSES
from ..monitor.store import Store
from . import check
from ._signals import EMBEDDING_TYPES, fmt, name_list, train_loss_functions

# data-not-normalized
UNIT_SCALE_LIMIT = 4.0  # a feature's RMS sqrt(mean^2 + std^2) is 1 standardised and at most 1 in [0, 1];
# at 4 its first-layer gradient is 16x a unit-scale feature's and its pre-activations 4x: raw units, raw
# pixels (0-255 or 0-16) and years are far beyond, min-max scaled and standardised data never get there
SCALE_SPREAD_LIMIT = 1e3  # dense features whose scales differ by three orders of magnitude: one learning
# rate cannot suit both (e.g. areas in the hundreds beside fractions in the thousandths)
SPARSE_SHARE = 0.5  # a feature that is 0 or 1 in at least half the samples (sparse pixels, flags) has no
# typical scale of its own: it takes no part in the spread rule
STRONG_FACTOR = 10.0  # ten times a limit: the finding is near certain
TOKEN_ID_RANGE_SHARE = 0.5  # token-id columns share one vocabulary: most columns reach half the top id

# targets-not-normalized
TARGET_SCALE_LIMIT = 10.0  # an untrained network outputs about 0 +- 1, so its first MSE is about the
# targets' mean square: 100 at this limit, with output gradients 20x those of standardised targets
LOG_SPAN = 1e3  # positive targets spanning three orders of magnitude want a log transform, not only scaling

# class-imbalance
IMBALANCE_RATIO = 10.0  # majority:minority of 10:1 or more is where an unweighted loss starts to ignore
# the minority (the usual line for severe imbalance); 60:40 or 3:1 train fine
MINORITY_SHARE_FACTOR = 0.2  # ... and the smallest class holds under a fifth of a fair share 1/C: with many
# classes a 10:1 spread between the largest and the smallest alone is common and harmless

MIN_BATCHES = 8  # live runs: batches whose classes were counted before their order is judged
ORDERED_FACTOR = 0.5  # batches holding at most half the classes beyond their first that random batches
# would hold (single-class batches where random ones hold two classes, or 1.3 where they hold 10)
MAX_LISTED_WEIGHTS = 10  # class weights are spelled out for up to this many classes
MAJORITY_SHARE = 0.5  # a class this common makes accuracy misleading: always predicting it scores this much

# data-duplicates
DUPLICATE_SHARE = 0.01  # 1% exact copies: worth a note, they leak across a random train/validation split
DUPLICATE_WARNING_SHARE = 0.1  # a tenth of the data copied overweights those samples: a warning
CONFLICT_SHARE = 0.005  # inputs seen with two labels in 0.5% of samples: noise the loss cannot fit
LABEL_KINDS = ("class-indices", "class-names", "one-hot", "multi-label")  # targets that are labels
# ids per sample up to which a sample is a key (user, item, context, time bucket), not a token sequence
KEY_VALUES = 4

# labels-noisy
# the probe must get a third of the way from guessing to agreeing with every label: a perfect probe
# scores 1 - q C / (C - 1) with q wrong labels, so below a third it would take more than a third wrong
# labels, a failure the loss curves show (at chance) rather than something a probe can point at
MIN_PROBE_SKILL = 1 / 3
# a probe a tenth of the way or less from always guessing the commonest class to every label right found
# next to no signal in the inputs (it is at 0.004 on 75% positives whose features barely matter)
WEAK_SIGNAL_SKILL = 0.1
NOISY_LABEL_SHARE = 0.1  # curated benchmarks hold about 3% wrong labels (Northcutt et al. 2021); clean
# but overlapping classes give at most about 7% strong suspects (a probe only 60% accurate on 4 blobs),
# while 10% flipped labels give 8-9% and 20% give 12-17% (strong suspects miss flips near a boundary)
EXAMPLE_WORDS = {  # how the label check's sample ids read, by where the data came from
    "dataset": "Dataset indices",
    "loader": "positions in the DataLoader's order",
    "training batches": "seen at steps",
}

CLASSIFICATION_LOSSES = CLASS_INDEX_LOSSES + BINARY_LOSSES + ("multilabel_soft_margin_loss",)
IGNORE_INDEX = -100  # CrossEntropyLoss' default ignore_index: a label the loss skips on purpose
PIXEL_MAX = 255  # 8-bit pixel intensities


def profile_of(store: Store) -> DataProfile | None:
    """The data profile recorded in the store, or None."""
    data = store.structure.get("data_profile")
    return DataProfile.from_dict(data) if isinstance(data, dict) else None


# --- data-nonfinite ---------------------------------------------------------------------------------
@check
def data_nonfinite(store: Store) -> list[Finding]:
    profile = profile_of(store)
    if profile is None:
        return []
    parts, where = [], []
    features = _Columns(profile.features)
    bad = np.flatnonzero(features.nan + features.inf)
    if bad.size:
        order = bad[np.argsort(-(features.nan + features.inf)[bad], kind="stable")]
        described = [f"{features.names[i]} ({_nonfinite_counts(features, i)})" for i in order]
        missing = "missing or NaN" if profile.source in ("csv", "parquet") else "NaN or Inf"
        parts.append(
            f"{missing} values in {len(bad)} of {len(features.names)} {_feature_word(profile)}: "
            f"{name_list(described, 4)}; {_count(profile.rows_nonfinite)} of {_count(profile.rows)} samples "
            f"({_share(profile.rows_nonfinite, profile.rows)}) hold at least one"
        )
        where = [features.names[i] for i in order[:3]]
    targets = profile.targets
    if targets and targets.get("rows_nonfinite"):
        columns = _Columns(targets["columns"])
        parts.append(
            f"the targets ({targets.get('name') or 'target'}) are NaN or Inf in "
            f"{_count(targets['rows_nonfinite'])} samples ({_share(targets['rows_nonfinite'], targets['rows'])}; "
            f"{int(columns.nan.sum())} NaN, {int(columns.inf.sum())} Inf)"
        )
        where.append(targets.get("name") or "targets")
    if not parts:
        return []
    advice = ""
    if profile.source in ("csv", "parquet"):
        advice = (
            "Empty cells read as NaN: fill them (e.g. with the column's training median) or drop those rows."
        )
    return [
        Finding(
            "data-nonfinite", "; ".join(parts) + ".", confidence=0.95, where=", ".join(where), advice=advice
        )
    ]


def _nonfinite_counts(columns: _Columns, index: int) -> str:
    parts = []
    if columns.nan[index]:
        parts.append(f"{_count(columns.nan[index])} NaN")
    if columns.inf[index]:
        parts.append(f"{_count(columns.inf[index])} Inf")
    return ", ".join(parts)


# --- data-not-normalized ----------------------------------------------------------------------------
@check
def data_not_normalized(store: Store) -> list[Finding]:
    profile = profile_of(store)
    if profile is None or _token_ids(profile, store) or _normalised_by_the_model(store):
        return []
    features = _Columns(profile.features)
    scale = features.scale()
    considered = features.varying() & ~features.binary() & np.isfinite(scale)
    if not considered.any():
        return []
    large = considered & (scale > UNIT_SCALE_LIMIT)
    dense = considered & ~(features.zero_one_share >= SPARSE_SHARE) & (scale > 0)
    spread = float(scale[dense].max() / scale[dense].min()) if dense.sum() >= 2 else 1.0
    if not large.any() and spread < SCALE_SPREAD_LIMIT:
        return []

    word = _feature_word(profile)
    parts = []
    if large.any():
        order = np.flatnonzero(large)[np.argsort(-scale[large], kind="stable")]
        described = [f"{features.names[i]} ({_moments(features, i)})" for i in order]
        scope = "the inputs" if features.width == 1 else f"{large.sum()} of {considered.sum()} {word}"
        parts.append(f"{scope} are far from zero mean and unit scale: {name_list(described, 3)}")
    if spread >= SCALE_SPREAD_LIMIT:
        top = np.flatnonzero(dense)[np.argmax(scale[dense])]
        low = np.flatnonzero(dense)[np.argmin(scale[dense])]
        parts.append(
            f"typical magnitudes range from {fmt(scale[low])} ({features.names[low]}) to {fmt(scale[top])} "
            f"({features.names[top]}): {math.floor(math.log10(spread))} orders of magnitude"
        )
    advice = _normalize_advice(profile, features, considered)
    worst = float(scale[considered].max())
    strong = worst > STRONG_FACTOR * UNIT_SCALE_LIMIT or spread >= STRONG_FACTOR * SCALE_SPREAD_LIMIT
    where = None
    if large.any():
        where = name_list(
            [features.names[i] for i in np.flatnonzero(large)[np.argsort(-scale[large], kind="stable")]], 3
        )
    return [
        Finding(
            "data-not-normalized",
            "; ".join(parts) + ".",
            confidence=0.9 if strong else 0.75,
            where=where,
            advice=advice,
        )
    ]


def _moments(columns: _Columns, index: int) -> str:
    return (
        f"mean {fmt(columns.mean[index])}, std {fmt(columns.std[index])}, "
        f"range {fmt(columns.min[index])} to {fmt(columns.max[index])}"
    )


def _normalize_advice(profile: DataProfile, features: _Columns, considered: np.ndarray) -> str:
    """Advice for this data: pixel intensities are divided by their maximum, coded categories encoded."""
    low, high = float(np.nanmin(features.min[considered])), float(np.nanmax(features.max[considered]))
    integers = bool(features.integer[considered].all())
    if profile.layout == "image" or (integers and low >= 0 and high <= PIXEL_MAX and _homogeneous(features)):
        if integers and low >= 0 and high <= PIXEL_MAX:
            top = PIXEL_MAX if high > 16 else high  # digits' 0-16 are divided by 16, 8-bit images by 255
            return f"These look like raw pixel intensities (0 to {fmt(high)}): divide by {fmt(top)} to get [0, 1]."
        return "Scale the images to [0, 1], or normalise each channel with its mean and std."
    coded = [
        features.names[i]
        for i in np.flatnonzero(considered)
        if features.integer[i] and features.distinct[i] is not None and features.distinct[i] > 2
    ]
    if coded and features.width > 1:
        return (
            f"Standardise the numeric features; {name_list(coded, 3)} hold a few integer codes: if they name "
            "categories, one-hot encode them (or use an embedding) instead of scaling them."
        )
    return ""


def _normalised_by_the_model(store: Store) -> bool:
    """Whether the model's first layer is a batch norm that takes the inputs as they come: it standardises
    each feature with the batch's (then running) mean and variance, which is what normalising them does."""
    layers = (store.structure.get("loop") or {}).get("input_layers") or []
    return any(layer.startswith("BatchNorm") for layer in layers)


def _token_ids(profile: DataProfile, store: Store) -> bool:
    """Whether the inputs are integer token ids meant for an embedding layer (which scaling would break)."""
    kind = np.dtype(profile.input_dtype).kind if profile.input_dtype else "f"
    if kind not in "iu":
        return False
    if any(m.get("type") in EMBEDDING_TYPES for m in store.structure.get("modules", [])):
        return True
    if profile.input_dtype in ("uint8", "bool") or profile.source in ("csv", "parquet"):
        return False  # 8-bit images; a text file's integers are whatever the parser made of them
    features = _Columns(profile.features)
    if profile.layout != "table" or features.width < 2 or np.nanmin(features.min) < 0:
        return False
    return _homogeneous(features)


def _homogeneous(features: _Columns) -> bool:
    """Most varying columns reach about the same top value: one vocabulary or one pixel range, not units."""
    varying = features.varying()
    if varying.sum() < 2:
        return False
    tops = features.max[varying]
    return float(np.median(tops)) >= TOKEN_ID_RANGE_SHARE * float(tops.max())


# --- targets-not-normalized -------------------------------------------------------------------------
@check
def targets_not_normalized(store: Store) -> list[Finding]:
    profile = profile_of(store)
    targets = profile.targets if profile else None
    if not targets or targets.get("kind") != "continuous" or _classification_loss(store):
        return []
    columns = _Columns(targets["columns"])
    scale = columns.scale()
    if not np.isfinite(scale).any() or float(np.nanmax(scale)) <= TARGET_SCALE_LIMIT:
        return []
    worst = int(np.nanargmax(scale))
    name = columns.names[worst] if columns.width > 1 else (targets.get("name") or "the targets")
    mean_square = float(columns.mean[worst] ** 2 + columns.std[worst] ** 2)
    evidence = (
        f"{name}: {_moments(columns, worst)}; a freshly initialised model predicts about 0, so its first "
        f"MSE is about {fmt(mean_square)} (about 1 with standardised targets)"
    )
    advice = ""
    low, high = float(columns.min[worst]), float(columns.max[worst])
    if low > 0 and high / low >= LOG_SPAN:
        evidence += f", and the values span {fmt(high / low)}x from smallest to largest"
        advice = "The targets span orders of magnitude: predict log(y) (and exponentiate the predictions)."
    strong = scale[worst] > STRONG_FACTOR * TARGET_SCALE_LIMIT
    return [
        Finding(
            "targets-not-normalized",
            evidence + ".",
            confidence=0.9 if strong else 0.75,
            where=targets.get("name"),
            advice=advice,
        )
    ]


# --- labels-out-of-range ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Outputs:
    """What the model expects of the labels, as far as the store tells."""

    classes: int | None  # number of outputs (C of a C-way classifier)
    source: str  # how it is known, for evidence
    loss: str | None = None  # the training loss function's name
    ignore_index: int = IGNORE_INDEX


def model_outputs(store: Store, profile: DataProfile) -> Outputs:
    """The number of classes: declared, from the loss's input shape, or the last layer's out_features."""
    loss = _labels_loss(store)
    name = loss.get("name")
    ignore = int(loss.get("ignore_index", IGNORE_INDEX))
    if profile.classes:
        return Outputs(int(profile.classes), f"{profile.classes} classes were declared", name, ignore)
    shape = loss.get("input_shape") or []
    if name in CLASS_INDEX_LOSSES and len(shape) >= 2:
        return Outputs(int(shape[1]), f"the model has {shape[1]} outputs ({name})", name, ignore)
    linear = [m for m in store.structure.get("modules", []) if isinstance(m.get("out_features"), int)]
    if linear and not train_loss_functions(store):  # a loss written by hand: the last layer is the best guess
        last = linear[-1]
        return Outputs(
            int(last["out_features"]),
            f"the last layer ({last.get('name')}) has {last['out_features']} outputs",
            None,
        )
    return Outputs(None, "", name, ignore)


def _labels_loss(store: Store) -> dict:
    """The training loss call the profiled labels went to: the only one, the one that raised, or (a
    multi-task model summing several losses) the one whose targets the batch probe took."""
    losses = train_loss_functions(store)
    if len(losses) == 1:
        return losses[0]
    failed = failed_loss_call(store)
    if failed:
        return failed
    target_loss = live_data(store).get("target_loss")
    return next((info for info in losses if info.get("name") == target_loss), {})


def failed_loss_call(store: Store) -> dict | None:
    """The training loss call that raised, as the batch probe saw it (name, input_shape), if any."""
    return (store.structure.get("live_data") or {}).get("failed_loss_call")


@check
def labels_out_of_range(store: Store) -> list[Finding]:
    findings = _labels_out_of_range(store)
    crash = _crash_on_labels(store)
    if not findings or not crash:
        return findings
    # the loss raised on a batch whose labels are out of range: they are the crash's cause
    return [
        dataclasses.replace(
            finding,
            evidence=f"{crash}: {finding.evidence}",
            confidence=max(finding.confidence, 0.95),
            severity=Severity.ERROR,
        )
        for finding in findings
    ]


def _crash_on_labels(store: Store) -> str | None:
    """How the run crashed on its labels, if it did: a loss call that raised on them (on the CPU), or a
    device-side assert (on a GPU a class index out of range fails the loss kernel, and CUDA reports it
    at a later call that waits for the device)."""
    if store.structure.get("status") != "crashed":
        return None
    failed = failed_loss_call(store)
    if failed:
        return f"The run crashed in {failed['name']} on these labels"
    device = store.structure.get("device_failure") or {}
    if "device-side assert" in device.get("error", ""):
        return (
            "The run crashed on a device-side assert, the way CUDA reports a class index out of range "
            "(at a later call, not in the loss itself)"
        )
    return None


def _labels_out_of_range(store: Store) -> list[Finding]:
    profile = profile_of(store)
    targets = profile.targets if profile else None
    if not targets:
        return []
    outputs = model_outputs(store, profile)
    if outputs.loss in SIGN_TARGET_LOSSES:
        return []  # -1 is one of its two labels
    kind = targets.get("kind")
    if kind == "one-hot":
        return _one_hot_mismatch(targets, outputs)
    classes = targets.get("classes")
    if kind != "class-indices" or not classes or not classes["labels"]:
        return []
    labels = np.asarray(classes["labels"], dtype=np.int64)
    counts = np.asarray(classes["counts"], dtype=np.int64)
    total = int(counts.sum())
    if outputs.loss in BINARY_LOSSES:
        return _binary_out_of_range(labels, counts, total, outputs)
    low, high = int(labels.min()), int(labels.max())
    one_based = low == 1 and high >= 2 and labels.size == high  # 1..K, every value present, no 0
    span = f"labels run from {low} to {high}"
    if outputs.classes is not None:
        bad = ((labels < 0) & (labels != outputs.ignore_index)) | (labels >= outputs.classes)
        if not bad.any():
            return []
        evidence = (
            f"{span}, but {outputs.source} (valid labels 0 to {outputs.classes - 1}): "
            f"{_count(counts[bad].sum())} of {_count(total)} samples ({_share(counts[bad].sum(), total)}) have "
            f"label{'s' if bad.sum() > 1 else ''} {name_list([str(v) for v in labels[bad]], 4)}"
        )
        advice = _label_advice(one_based, labels, outputs.classes)
        return [
            Finding(
                "labels-out-of-range",
                evidence + _one_based_note(one_based) + ".",
                confidence=0.95,
                advice=advice,
            )
        ]
    negative = labels[(labels < 0) & (labels != IGNORE_INDEX)]
    if one_based:
        evidence = (
            f"{span} and no sample has label 0: the labels look 1-based. A {high}-way output accepts 0 to "
            f"{high - 1}, so label {high} ({_count(counts[-1])} samples) is out of range and crashes "
            f"cross-entropy (and with {high + 1} outputs, class 0 is never used)"
        )
        return [
            Finding(
                "labels-out-of-range",
                evidence + ".",
                confidence=0.6,
                severity=Severity.WARNING,
                advice="Subtract 1 from the labels (y - 1).",
            )
        ]
    if negative.size:
        share = _share(counts[np.isin(labels, negative)].sum(), total)
        evidence = (
            f"{span}: {share} of the samples have negative labels ({name_list([str(v) for v in negative], 4)}); "
            "cross-entropy needs class indices 0 to C-1 and BCE needs targets in [0, 1]"
        )
        advice = "Map the labels to 0..C-1 (e.g. -1/1 to 0/1 with (y + 1) // 2)."
        return [
            Finding(
                "labels-out-of-range",
                evidence + ".",
                confidence=0.7,
                severity=Severity.WARNING,
                advice=advice,
            )
        ]
    return []


def _one_based_note(one_based: bool) -> str:
    return "; no sample has label 0: the labels look 1-based" if one_based else ""


def _label_advice(one_based: bool, labels: np.ndarray, classes: int) -> str:
    if one_based and labels.max() == classes:
        return "Subtract 1 from the labels (y - 1)."
    return f"Map the labels to 0..{classes - 1}, or give the last layer {int(labels.max()) + 1} outputs."


def _binary_out_of_range(
    labels: np.ndarray, counts: np.ndarray, total: int, outputs: Outputs
) -> list[Finding]:
    bad = (labels < 0) | (labels > 1)
    if not bad.any():
        return []
    evidence = (
        f"{outputs.loss} needs targets in [0, 1], but {_count(counts[bad].sum())} of {_count(total)} samples "
        f"have labels {name_list([str(v) for v in labels[bad]], 4)}"
    )
    advice = ""
    if labels.max() > 1 and labels.min() >= 0:
        evidence += ": these look like class indices"
        advice = f"For {labels.size} classes use cross_entropy on {labels.size} logits with these labels as they are."
    return [Finding("labels-out-of-range", evidence + ".", confidence=0.9, advice=advice)]


def _one_hot_mismatch(targets: dict, outputs: Outputs) -> list[Finding]:
    width = int(targets["shape"][0]) if targets.get("shape") else None
    if outputs.loss == "nll_loss":
        evidence = f"the targets are one-hot rows of width {width}, but nll_loss expects class indices"
        advice = "Pass class indices: y.argmax(dim=1)."
        return [Finding("labels-out-of-range", evidence + ".", confidence=0.9, advice=advice)]
    if outputs.classes is not None and width is not None and width != outputs.classes:
        evidence = f"the targets are one-hot rows of width {width}, but {outputs.source}"
        return [Finding("labels-out-of-range", evidence + ".", confidence=0.9)]
    return []


# --- class-imbalance --------------------------------------------------------------------------------
@check
def class_imbalance(store: Store) -> list[Finding]:
    profile = profile_of(store)
    targets = profile.targets if profile else None
    classes = targets.get("classes") if targets else None
    if not classes or len(classes["counts"]) < 2 or live_data(store).get("weighted_loss"):
        return []  # a loss given class weights (or pos_weight) already balances the classes
    if batches_ordered(store):
        return []  # batches ordered by class: the sampled ones do not give the class shares
    counts = np.asarray(classes["counts"], dtype=np.int64)
    names = [str(n) for n in classes.get("names") or classes["labels"]]
    present = counts > 0
    if present.sum() < 2:
        return []
    total, count = int(counts.sum()), int(present.sum())
    largest, smallest = int(np.argmax(counts)), int(np.flatnonzero(present)[np.argmin(counts[present])])
    ratio = counts[largest] / counts[smallest]
    fair = 1.0 / count
    if ratio < IMBALANCE_RATIO or counts[smallest] / total >= MINORITY_SHARE_FACTOR * fair:
        return []
    rare = np.flatnonzero(present & (counts / total < MINORITY_SHARE_FACTOR * fair))
    rare = rare[np.argsort(counts[rare], kind="stable")]
    described = [f"class {names[i]}: {_count(counts[i])} samples, {_share(counts[i], total)}" for i in rare]
    verb = "holds" if len(rare) == 1 else "hold"
    evidence = (
        f"the largest class ({names[largest]}) has {_count(counts[largest])} samples "
        f"({_share(counts[largest], total)}), {fmt(ratio)}x the smallest; {len(rare)} of {count} classes "
        f"{verb} under {_share(MINORITY_SHARE_FACTOR * fair, 1)} of the samples ({'; '.join(described[:3])}"
        f"{f'; and {len(rare) - 3} more' if len(rare) > 3 else ''})"
    )
    if counts[largest] / total >= MAJORITY_SHARE:
        evidence += (
            f". A model that always predicts class {names[largest]} is {_share(counts[largest], total)} "
            "accurate: judge it by balanced accuracy or per-class recall"
        )
    advice = "Weight each class by total / (classes x its count) in CrossEntropyLoss(weight=...)."
    labels = classes["labels"]
    if list(labels) == list(range(len(labels))) and count == len(labels) <= MAX_LISTED_WEIGHTS:
        weights = total / (count * counts)
        advice = f"Inverse-frequency weights, CrossEntropyLoss(weight=torch.tensor([{', '.join(fmt(w) for w in weights)}]))."
    return [
        Finding(
            "class-imbalance",
            evidence + ".",
            confidence=0.9 if ratio >= 5 * IMBALANCE_RATIO else 0.8,
            where=f"class {names[rare[0]]}" if rare.size else None,
            advice=advice,
        )
    ]


# --- labels-noisy -----------------------------------------------------------------------------------
@check
def labels_noisy(store: Store) -> list[Finding]:
    profile = profile_of(store)
    result = profile.label_noise if profile else None
    if not result or "suspect" not in result or result["suspect_share"] < NOISY_LABEL_SHARE:
        return []
    if _probe_skill(result) < MIN_PROBE_SKILL:
        return []  # a probe that barely beats guessing: its disagreements say more about it than the labels
    checked, suspect = int(result["checked"]), int(result["suspect"])
    evidence = (
        f"a {result['probe']} probe that never saw a sample's own label (out-of-fold, {_count(checked)} "
        f"samples, it agrees with {_share(result['probe_accuracy'], 1)} of the labels) puts at least 50 "
        f"points more probability on another class for {_count(suspect)} of them "
        f"({_share(suspect, checked)}); cleanlab's confident learning flags {_count(result['flagged'])}"
    )
    examples = result.get("examples") or []
    if examples:
        words = EXAMPLE_WORDS.get(profile.source, "rows (counted from 0)")
        evidence += f". Suspects to review, {words}: {', '.join(str(i) for i in examples)}"
    share = result["suspect_share"]
    return [
        Finding(
            "labels-noisy",
            evidence + ".",
            confidence=0.85 if share >= 2 * NOISY_LABEL_SHARE else 0.7,
            advice=f"About {_share(share, 1)} or more of the labels look wrong: review the suspects first.",
        )
    ]


def weak_signal(store: Store) -> str | None:
    """A sentence for a loss that stays near chance level when the label probe found that the inputs
    barely predict the labels (its skill under WEAK_SIGNAL_SKILL): then such a loss may be what the data
    allows, not a stuck network. None when the probe did not run or found signal."""
    profile = store.structure.get("data_profile")  # read as a dict, as _signals._imbalanced reads it
    result = profile.get("label_noise") if isinstance(profile, dict) else None
    if not result or "probe_accuracy" not in result or result.get("majority_share") is None:
        return None
    if _probe_skill(result) >= WEAK_SIGNAL_SKILL:
        return None
    modules = store.structure.get("modules") or []
    if "int" in str(profile.get("input_dtype")) or any(m.get("type") in EMBEDDING_TYPES for m in modules):
        return None  # the inputs are ids an embedding looks up: a probe reads nothing in their values
    return (
        f"But the inputs may hold little signal: a {result['probe']} probe fitted on {_count(result['checked'])} "
        f"sampled inputs gets {_share(result['probe_accuracy'], 1)} of the labels of samples it never saw "
        f"right, and always guessing the commonest class gets {_share(result['majority_share'], 1)}. "
        "If a better model of this data is known to exist, look at the network; if not, at the inputs "
        "(features that carry the labels, preprocessing)."
    )


def _probe_skill(result: dict) -> float:
    """How far the label probe got from guessing the commonest class (0) to agreeing with every label (1);
    1 when the sample's class shares were not recorded."""
    guess = result.get("majority_share")
    if guess is None or guess >= 1:
        return 1.0
    return (float(result["probe_accuracy"]) - guess) / (1.0 - guess)


# --- data-duplicates --------------------------------------------------------------------------------
@check
def data_duplicates(store: Store) -> list[Finding]:
    profile = profile_of(store)
    duplicates = profile.duplicates if profile else None
    if not duplicates or not duplicates.get("hashed_rows"):
        return []
    hashed = int(duplicates["hashed_rows"])
    copies, conflicts = int(duplicates.get("duplicate_rows", 0)), int(duplicates.get("conflicting_inputs", 0))
    if (profile.targets or {}).get("kind") not in LABEL_KINDS:
        conflicts = 0  # one input with two continuous targets is the targets' noise, not a wrong label
    if copies / hashed < DUPLICATE_SHARE and conflicts / hashed < CONFLICT_SHARE:
        return []
    if _interaction_keys(profile, store) or _compares_inputs(store):
        return []
    space = _input_space(profile)
    if space is not None and space <= hashed:
        return []  # a few coded features can only take so many values: repeats are expected, not copies
    samples = f"{_count(hashed)} samples" + (" checked" if hashed < profile.rows else "")
    conflicting = f"{_count(conflicts)} inputs appear with different labels (the loss cannot fit both)"
    if copies:
        evidence = (
            f"{_count(copies)} of {samples} ({_share(copies, hashed)}) are exact copies of another sample"
        )
        evidence += f"; {conflicting}" if conflicts else ""
    else:
        evidence = f"{conflicting}, among {samples}"
    severe = copies / hashed >= DUPLICATE_WARNING_SHARE or conflicts / hashed >= CONFLICT_SHARE
    return [
        Finding(
            "data-duplicates",
            evidence + ".",
            confidence=0.9,
            severity=Severity.WARNING if severe else Severity.INFO,
            advice="Check the inputs that carry two labels: one of them is wrong." if conflicts else "",
        )
    ]


def _compares_inputs(store: Store) -> bool:
    """Whether the training loss compares items drawn into pairs or triplets (a ranking or embedding
    loss): an item recurs across them by design, and a label belongs to its pair, not to the item."""
    return any(info.get("name") in COMPARED_INPUTS_LOSSES for info in train_loss_functions(store))


def _interaction_keys(profile: DataProfile, store: Store) -> bool:
    """Whether a sample is a handful of ids looked up in embeddings (a user and an item): an interaction
    log, where a key recurs by nature and its outcomes differ (a click one day, none the next), so repeats
    are neither copies nor conflicting labels. Token sequences, longer than KEY_VALUES, are not keys."""
    values = profile.feature_count + int(live_data(store).get("companion_values") or 0)
    return _token_ids(profile, store) and values <= KEY_VALUES


def _input_space(profile: DataProfile) -> float | None:
    """How many distinct inputs a table of few-valued features can hold at most; None if unbounded."""
    if profile.layout != "table":
        return None
    distinct = profile.features.get("distinct") or []
    if not distinct or any(d is None for d in distinct):
        return None
    return float(np.prod([max(int(d), 1) for d in distinct], dtype=float))


# --- data-constant-features -------------------------------------------------------------------------
@check
def data_constant_features(store: Store) -> list[Finding]:
    profile = profile_of(store)
    if profile is None:
        return []
    features = _Columns(profile.features)
    constant = np.flatnonzero((features.min == features.max) & (features.count > 0))
    if not constant.size:
        return []
    word = _feature_word(profile)
    values = [f"{features.names[i]} (always {fmt(features.min[i])})" for i in constant]
    every = constant.size == features.width
    scope = (
        f"every one of the {features.width} {word}"
        if every and features.width > 1
        else (f"{constant.size} of {features.width} {word}")
    )
    evidence = f"{scope} {'is' if constant.size == 1 else 'are'} constant: {name_list(values, 4)}"
    if every:
        evidence += "; the inputs carry no information at all"
    return [
        Finding(
            "data-constant-features",
            evidence + ".",
            confidence=0.95,
            severity=Severity.ERROR if every else None,  # constant inputs: nothing at all can be learned
            where=name_list([features.names[i] for i in constant], 3),
        )
    ]


def live_data(store: Store) -> dict:
    """What the batch probe recorded in a live run beside the profile (see data/live.py); {} otherwise."""
    return store.structure.get("live_data") or {}


def batch_order(store: Store) -> tuple[float, float, int, int] | None:
    """(observed, expected) mean distinct classes per training batch, batch count, single-class batches;
    None when the run has no class labels per sample or too few batches."""
    live = live_data(store)
    sizes, classes = live.get("batch_sizes") or [], live.get("batch_classes") or []
    profile = profile_of(store)
    targets = profile.targets if profile else None
    counted = (targets or {}).get("classes")
    if len(sizes) < MIN_BATCHES or not counted or targets.get("kind") not in ("class-indices", "class-names"):
        return None
    observed, expected = class_spread(sizes, classes, counted["counts"])
    return observed, expected, len(sizes), sum(c == 1 for c in classes)


def batches_ordered(store: Store) -> bool:
    """Whether the training batches hold far fewer classes than random ones (see data-unshuffled)."""
    order = batch_order(store)
    return order is not None and order[0] - 1 <= ORDERED_FACTOR * (order[1] - 1)


# --- reading the profile ------------------------------------------------------------------------------
class _Columns:
    """A profile's column-oriented statistics as numpy arrays (None read as NaN)."""

    def __init__(self, data: dict) -> None:
        self.names = [str(n) for n in data.get("names", [])]
        self.width = len(self.names)
        self.count = _array(data.get("count"), self.width)
        self.mean = _array(data.get("mean"), self.width)
        self.std = _array(data.get("std"), self.width)
        self.min = _array(data.get("min"), self.width)
        self.max = _array(data.get("max"), self.width)
        self.nan = np.nan_to_num(_array(data.get("nan"), self.width)).astype(np.int64)
        self.inf = np.nan_to_num(_array(data.get("inf"), self.width)).astype(np.int64)
        self.zero_one_share = _array(data.get("zero_one_share"), self.width)
        self.integer = np.asarray(data.get("integer_valued") or [False] * self.width, dtype=bool)
        self.distinct = list(data.get("distinct") or [None] * self.width)

    def scale(self) -> np.ndarray:
        """Root mean square sqrt(mean^2 + std^2): the typical magnitude a layer sees from the feature."""
        return np.sqrt(self.mean**2 + self.std**2)

    def varying(self) -> np.ndarray:
        return (self.count > 0) & (self.max > self.min)

    def binary(self) -> np.ndarray:
        """0/1 columns (flags, one-hot): already on a unit scale."""
        return self.zero_one_share >= 1.0


def _array(values: list | None, width: int) -> np.ndarray:
    if values is None:
        return np.full(width, np.nan)
    return np.asarray([np.nan if v is None else v for v in values], dtype=float)


def _classification_loss(store: Store) -> bool:
    names = {info.get("name") for info in train_loss_functions(store)}
    return bool(names) and names <= set(CLASSIFICATION_LOSSES)


def _feature_word(profile: DataProfile) -> str:
    return {"image": "channels", "sequence": "features", "pooled": "value pools"}.get(
        profile.layout, "features"
    )


def _count(value: float) -> str:
    return f"{int(value):,}"


def _share(part: float, whole: float) -> str:
    if not whole:
        return "0%"
    share = 100.0 * float(part) / float(whole)
    if share == 0 or share >= 10:
        return f"{share:.0f}%"
    if share >= 1:
        return f"{share:.1f}%"
    return f"{share:.2g}%"
