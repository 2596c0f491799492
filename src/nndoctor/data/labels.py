"""The label-noise probe: which labels a simple model, trained without them, confidently contradicts.

A bounded random sample of (inputs, label) pairs is kept while the data goes by (`LabelSample`, a
reservoir drawn from a private generator). At the end, `estimate_label_noise` gets out-of-sample class
probabilities for every sampled row from cheap cross-validated probes (scikit-learn: logistic regression
on standardised features, and nearest neighbours for classes a line cannot separate) and hands them to
cleanlab's confident learning (`cleanlab.filter.find_label_issues`), which flags a row when another
class's probability beats that class's own typical confidence.

A flagged row is only a suspect: on clean data with overlapping classes the probe's errors near the
class boundaries get flagged too. A row counts as a *strong* suspect when the probe also puts at least
SUSPECT_MARGIN more probability on another class than on the given label: the sample lies inside
another class's region, not on a boundary. The checks decide what share of strong suspects is a problem.

cleanlab and scikit-learn are the `labels` extra; without them the probe returns a one-line note.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

SAMPLE_SEED = 0  # the reservoir and the folds draw from their own generators, never the user's
LABEL_SAMPLE_ROWS = 2000  # cross-validated probes on 2000 rows take about a second on one core
LABEL_SAMPLE_FEATURES = 256  # wider samples (images) keep this many evenly spaced values
MIN_ROWS = 100  # fewer samples and 4-fold out-of-fold predictions are too noisy to contradict a label
MIN_ROWS_PER_CLASS = 10  # fewer than this per class and a 4-fold probe has too little to learn from
MAX_CLASSES = 50  # with more classes 2000 samples leave about 40 per class: too few to contradict one
FOLDS = 4
NEIGHBOURS = 10  # neighbours vote in steps of 10%: enough resolution for a probability margin
SUSPECT_MARGIN = 0.5  # another class at least 50 points more probable than the given label
EXAMPLES = 10  # suspect sample ids listed in the report
MISSING_EXTRA = "the label check needs cleanlab and scikit-learn: pip install 'nndoctor[labels]'"


class LabelSample:
    """A uniform random sample (reservoir) of at most `capacity` distinct rows of (features, target row, id).

    A row already held is not offered again: in a live run every epoch brings the same samples back,
    and a copy on both sides of a cross-validation split would vouch for its own label.
    """

    def __init__(self, capacity: int = LABEL_SAMPLE_ROWS, *, seed: int = SAMPLE_SEED) -> None:
        self.capacity = capacity
        self._rng = np.random.default_rng(seed)
        self._columns: np.ndarray | None = None  # which input values are kept (all, or evenly spaced)
        self._width = 0
        self.features: np.ndarray | None = None
        self.targets: np.ndarray | None = None
        self.ids = np.zeros(capacity, dtype=np.int64)
        self.offered = 0
        self.disabled: str | None = None
        self._held: dict[bytes, int] = {}  # content of each held row -> its slot
        self._slot_keys: list[bytes | None] = [None] * capacity

    def offer(self, rows: np.ndarray, targets: np.ndarray, ids: np.ndarray) -> None:
        """Offer rows (n, d) with their target rows (n, t) and ids (n,): each ends up kept with equal chance."""
        if self.disabled:
            return
        if self.features is None:
            self._width = rows.shape[1]
            self._columns = (
                None
                if self._width <= LABEL_SAMPLE_FEATURES
                else np.linspace(0, self._width - 1, LABEL_SAMPLE_FEATURES).astype(np.int64)
            )
            kept = self._width if self._columns is None else LABEL_SAMPLE_FEATURES
            self.features = np.zeros((self.capacity, kept), dtype=np.float32)
            self.targets = np.zeros((self.capacity, targets.shape[1]), dtype=np.float64)
        if rows.shape[1] != self._width or targets.shape[1] != self.targets.shape[1]:
            self.disabled = "samples change shape from batch to batch"
            return
        features = rows if self._columns is None else rows[:, self._columns]
        keys = _row_keys(features.astype(np.float32), targets.astype(np.float64))
        fresh, batch = [], set()
        for index, key in enumerate(keys):
            if key not in self._held and key not in batch:
                fresh.append(index)
                batch.add(key)
        if len(fresh) < len(keys):
            features, targets, ids = features[fresh], targets[fresh], ids[fresh]
            keys = [keys[i] for i in fresh]
        count = len(keys)
        positions = self.offered + np.arange(count)
        # Algorithm R: row t replaces a uniformly chosen slot with probability capacity / (t + 1)
        slots = np.where(positions < self.capacity, positions, -1)
        late = positions >= self.capacity
        if late.any():
            draws = self._rng.integers(0, positions[late] + 1)
            slots[late] = np.where(draws < self.capacity, draws, -1)
        taken = np.flatnonzero(slots >= 0)
        # in order: a later row may take an earlier one's slot
        for row, slot in zip(taken.tolist(), slots[taken].tolist()):
            if self._slot_keys[slot] is not None:
                del self._held[self._slot_keys[slot]]
            self._slot_keys[slot], self._held[keys[row]] = keys[row], slot
        # the rows that kept their slot (the last to take it), copied in one go
        last_first = taken[::-1]
        slot_of, first = np.unique(slots[last_first], return_index=True)
        winners = last_first[first]
        self.features[slot_of] = features[winners]
        self.targets[slot_of] = targets[winners]
        self.ids[slot_of] = ids[winners]
        self.offered += count

    def rows(self) -> int:
        return min(self.offered, self.capacity)


def estimate_label_noise(sample: LabelSample, *, one_hot: bool = False) -> dict[str, Any]:
    """Suspect labels in the sample; a dict with "skipped" (a reason) when the probe cannot judge.

    Returns the number of rows checked, cleanlab's flagged count, the strong suspects (count, share,
    example ids), which probe was used and its out-of-fold accuracy, and the seconds it took.
    """
    began = time.perf_counter()
    if sample.disabled:
        return {"skipped": f"label check skipped: {sample.disabled}"}
    rows = sample.rows()
    if rows < MIN_ROWS or sample.features is None:
        return {"skipped": f"label check skipped: {rows} labelled samples"}
    features = sample.features[:rows].astype(np.float64)
    targets = sample.targets[:rows]
    given = targets.argmax(axis=1) if one_hot else targets[:, 0]
    finite = np.isfinite(features).all(axis=1) & np.isfinite(given)
    features, given, ids = features[finite], given[finite], sample.ids[:rows][finite]
    names, labels, counts = np.unique(given, return_inverse=True, return_counts=True)
    if names.size < 2 or names.size > MAX_CLASSES:
        return {"skipped": f"label check skipped: {names.size} classes in the sample"}
    if counts.min() < MIN_ROWS_PER_CLASS:
        return {"skipped": f"label check skipped: a class has only {counts.min()} samples in the sample"}
    try:
        import cleanlab.filter
        from sklearn.model_selection import StratifiedKFold
    except ImportError:
        return {"skipped": MISSING_EXTRA}

    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SAMPLE_SEED)
    with threadpool_limits(1):  # BLAS threads fighting over a busy machine's cores cost 30x here
        probe, probabilities = _best_probe(features, labels, folds)
    accuracy = float((probabilities.argmax(axis=1) == labels).mean())
    flagged = cleanlab.filter.find_label_issues(labels, probabilities, n_jobs=1)
    own = probabilities[np.arange(labels.size), labels]
    others = probabilities.copy()
    others[np.arange(labels.size), labels] = -1.0
    margin = others.max(axis=1) - own
    suspect = flagged & (margin >= SUSPECT_MARGIN)
    order = np.flatnonzero(suspect)[np.argsort(-margin[suspect], kind="stable")]
    return {
        "checked": int(labels.size),
        "classes": int(names.size),
        "flagged": int(flagged.sum()),
        "suspect": int(suspect.sum()),
        "suspect_share": float(suspect.mean()),
        "examples": _examples(ids[order]),
        "probe": probe,
        "probe_accuracy": accuracy,
        "majority_share": float(counts.max() / counts.sum()),  # the accuracy of guessing the commonest class
        "seconds": round(time.perf_counter() - began, 3),
    }


def _examples(ranked_ids: np.ndarray) -> list[int]:
    """The ids of the strongest suspects, in order of id; -1 marks a sample that cannot be named."""
    return sorted(int(i) for i in ranked_ids[ranked_ids >= 0][:EXAMPLES])


def _best_probe(features: np.ndarray, labels: np.ndarray, folds: Any) -> tuple[str, np.ndarray]:
    """Out-of-fold class probabilities of the probe that predicts the given labels best (Brier score:
    unlike log loss it does not let one neighbourhood's zero probability decide).

    Logistic regression suits tables and images; nearest neighbours also follow classes that curve around
    each other (moons, rings), which a line cannot.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probes = {
        "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=300)),
        "nearest neighbours": make_pipeline(StandardScaler(), KNeighborsClassifier(NEIGHBOURS)),
    }
    best: tuple[float, str, np.ndarray] | None = None
    rows = np.arange(labels.size)
    for name, model in probes.items():
        with np.errstate(all="ignore"):
            probabilities = cross_val_predict(model, features, labels, cv=folds, method="predict_proba")
        onehot = np.zeros_like(probabilities)
        onehot[rows, labels] = 1.0
        loss = float(((probabilities - onehot) ** 2).sum(axis=1).mean())
        if best is None or loss < best[0]:
            best = (loss, name, probabilities)
    return best[1], best[2]


def _row_keys(features: np.ndarray, targets: np.ndarray) -> list[bytes]:
    """The bytes of each row's features and targets: one key per row, built in one pass."""
    joined = np.concatenate(
        [
            np.ascontiguousarray(features).view(np.uint8).reshape(len(features), -1),
            np.ascontiguousarray(targets).view(np.uint8).reshape(len(targets), -1),
        ],
        axis=1,
    )
    return np.ascontiguousarray(joined).view(np.dtype((np.void, joined.shape[1]))).ravel().tolist()


# --- when a live run is worth the check ---------------------------------------------------------------
FIT_NOISE_SHARE = 0.05  # half the share of wrong labels the labels-noisy check reports (10%)
VAL_TURN_UP = 1.1  # a validation loss 10% above its minimum at the end: the model may be memorising


def wrong_label_floor(classes: int, share: float = FIT_NOISE_SHARE) -> float:
    """The lowest mean cross-entropy a model that does not memorise can reach when `share` of the labels
    point to a random other class: the entropy of the label noise, -(1-q) ln(1-q) - q ln(q / (C-1))."""
    q = share
    return -(1 - q) * np.log(1 - q) - q * np.log(q / max(classes - 1, 1))


def run_fits_labels(train_loss: np.ndarray, val_loss: np.ndarray, classes: int) -> str | None:
    """Why a live run does not need the label check, or None when it does.

    Wrong labels show in the curves: a model that cannot memorise them keeps a training loss above the
    noise floor, and one that memorises them sees its validation loss turn up. A run whose training
    loss ends below the floor of 5% wrong labels while its validation loss (if any) stays near its
    minimum fits its labels, and is not charged the seconds the check takes (mostly importing
    scikit-learn). Unknown class counts or short curves always get the check.
    """
    train_loss = train_loss[np.isfinite(train_loss)]
    if classes < 2 or len(train_loss) < 20:
        return None
    final = float(np.median(train_loss[-max(5, len(train_loss) // 10) :]))
    floor = float(wrong_label_floor(classes))
    if final >= floor:
        return None
    val_loss = val_loss[np.isfinite(val_loss)]
    if len(val_loss) and val_loss[-1] > VAL_TURN_UP * val_loss.min():
        return None
    return (
        f"label check skipped: the model fits its labels (final training loss {final:.3g}, below the "
        f"{floor:.2g} that {FIT_NOISE_SHARE:.0%} wrong labels would leave); `nndoctor data` checks a data file"
    )
