"""The knowledge: every finding id, what it means, what it explains, and what to do about it.

This table is the single source of each id's text: `nndoctor explain ID` and the README's table of ids
are generated from it. Ids are an API (users mute and grep them): once released, an id is never
renamed or reused. `detected` says whether a check for the id ships yet; the others are reserved so
that the causal graph is whole.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .findings import Severity


class Kind(enum.Enum):
    CAUSE = "cause"  # something to change: a setting, the data, the model, the loop
    SYMPTOM = "symptom"  # what the run shows; explained by causes when one is found
    STATE = "state"  # the state a pair of train/validation curves is in

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    kind: Kind
    severity: Severity
    summary: str  # what it is and why it stops training
    advice: str  # what to change, with the numbers a practitioner needs
    explains: tuple[str, ...] = ()
    detected: bool = False


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO
CAUSE, SYMPTOM, STATE = Kind.CAUSE, Kind.SYMPTOM, Kind.STATE

_ENTRIES = [
    # --- the loss itself -------------------------------------------------------------------------
    Entry(
        "loss-nonfinite",
        "The loss became NaN or infinite",
        SYMPTOM,
        E,
        "Once a NaN reaches the weights through an update, every later step is NaN too: the run is lost "
        "from that step on. Common sources are an exp/softmax that overflows (logits above about 88 in "
        "float32), log of 0, division by a zero standard deviation, or an update so large the weights overflow.",
        "Find the first step and layer where it appeared (shown in the evidence). Compute losses from logits "
        "with the fused functions (F.cross_entropy, F.binary_cross_entropy_with_logits, torch.logsumexp) "
        "instead of softmax then log; add an epsilon inside log and sqrt and to denominators (1e-8); check "
        "the inputs for NaN/Inf. If the gradient norm grew before the NaN, the learning rate is the cause.",
        detected=True,
    ),
    Entry(
        "loss-diverging",
        "The training loss is rising",
        SYMPTOM,
        E,
        "A loss that trends upward over many steps means the updates make the model worse: the optimiser "
        "overshoots, or the objective being minimised is not the one you think.",
        "Lower the learning rate 10x (e.g. 0.1 to 0.01) and check that the loss you call backward() on is "
        "the one you mean to minimise. If it rose only after a schedule step, check the schedule.",
        detected=True,
    ),
    Entry(
        "loss-oscillating",
        "The training loss oscillates without progress",
        SYMPTOM,
        W,
        "The loss swings up and down by more than it falls: each update jumps across the valley instead of "
        "descending it.",
        "Lower the learning rate 3-10x, or reduce the momentum (0.9 to 0.5); a larger batch also smooths "
        "the gradient. Shuffle the data if batches are ordered by class.",
        detected=True,
    ),
    Entry(
        "loss-plateau",
        "The training loss is stuck",
        SYMPTOM,
        W,
        "The training loss stopped falling while still well above what the task allows (for classification, "
        "near chance level ln(C)). Something blocks learning: tiny updates, dead or saturated units, "
        "vanishing gradients, a model too small, or labels the inputs cannot predict.",
        "Look at the causes listed with it. Without one: check that a single batch can be overfitted "
        "(a healthy model drives its loss near 0 in a few hundred steps), then try a 10x higher learning "
        "rate, a larger model, or check the labels.",
        detected=True,
    ),
    Entry(
        "loss-spike",
        "The loss spikes",
        SYMPTOM,
        W,
        "Isolated jumps of the training loss far above its recent level (beyond its own batch-to-batch "
        "noise) that come back down: one batch or one update is much larger than the rest. A few are "
        "harmless; recurring ones can knock the run off course.",
        "Clip the gradient norm (torch.nn.utils.clip_grad_norm_) at about the run's typical norm; look for "
        "outlier samples in the batches where it jumped; lower the learning rate if spikes recur.",
        detected=True,
    ),
    # --- optimisation ----------------------------------------------------------------------------
    Entry(
        "lr-too-high",
        "The learning rate is too high",
        CAUSE,
        E,
        "Each update moves the weights by a large share of their size, so the optimiser overshoots: the "
        "loss rises or swings, gradients grow, and with ReLU plus a softmax/exp loss the logits overflow "
        "and the weights turn NaN. Healthy updates move each weight tensor by about 0.1% (1e-3) of its norm "
        "per step.",
        "Lower it 10x at a time until the loss falls steadily (a search over 0.1, 0.01, 0.001 and "
        "0.0001 finds most models' rate; Adam usually wants 1e-4 to 3e-3). A learning-rate "
        "range test finds it in one short run. Add a warm-up if the loss blows up only in the first steps.",
        explains=(
            "loss-diverging",
            "loss-oscillating",
            "loss-nonfinite",
            "exploding-gradients",
            "loss-spike",
            "dead-relu",
        ),
        detected=True,
    ),
    Entry(
        "lr-too-low",
        "The learning rate is too low",
        CAUSE,
        W,
        "Updates move the weights by a tiny share of their size (well below 1e-4 per step), so the loss "
        "crawls down or seems stuck; a schedule that decays the rate to about zero early freezes training "
        "the same way, and so does a warm-up longer than the run (counted in samples or epochs where the "
        "scheduler counts steps), which never lets the rate reach its peak.",
        "Raise it 10x at a time (e.g. 1e-5 to 1e-4 to 1e-3) while the loss still falls steadily; for SGD "
        "start near 0.1, for Adam near 1e-3. If a scheduler is the cause, decay more slowly (a larger "
        "step_size, gamma closer to 1, or cosine decay over the whole run).",
        explains=("loss-plateau", "learning-bottleneck"),
        detected=True,
    ),
    Entry(
        "exploding-gradients",
        "Gradients are exploding",
        CAUSE,
        W,
        "The gradient norm jumps by orders of magnitude above its usual level, so single updates throw the "
        "weights far away; recurrent networks on long sequences are the classic case.",
        "Clip the gradient norm just before optimizer.step(): torch.nn.utils.clip_grad_norm_(model.parameters(), "
        "max_norm) with the norm given in the evidence (about the run's typical norm). If it keeps happening, "
        "lower the learning rate, and check the data for outliers: clipping hides a problem, it does not fix it.",
        explains=("loss-nonfinite", "loss-spike", "loss-diverging", "loss-oscillating"),
        detected=True,
    ),
    Entry(
        "vanishing-gradients",
        "Gradients vanish before reaching the first layers",
        CAUSE,
        W,
        "The gradient reaching the first layers is orders of magnitude smaller than at the last layer, so "
        "the early layers barely learn. Deep stacks of sigmoid or tanh (whose slope is at most 0.25 or 1) "
        "and poor initialisation are the usual causes.",
        "Use ReLU-family activations (ReLU, LeakyReLU, GELU) with He init, add normalisation layers "
        "(BatchNorm, LayerNorm) and residual connections, or make the network shallower (3 to 8 layers "
        "is a good start).",
        explains=("loss-plateau", "learning-bottleneck"),
        detected=True,
    ),
    # --- model and loop (issue: model, loss and training-loop faults) ------------------------------
    Entry(
        "bad-init",
        "Weights are badly initialised",
        CAUSE,
        W,
        "Weights that start at zero, at one constant, or far from the scale He/LeCun/Xavier prescribe make "
        "every unit of a layer compute the same thing, or make the signal shrink or blow up layer after "
        "layer: a factor 3 per layer is a factor 3^12 = 5e5 after twelve layers. Biases far larger than "
        "the pre-activation they are added to (-3 before a ReLU whose input has std 0.5) start units "
        "where their activation is flat: ReLUs that never fire, tanh/sigmoid units pinned at a bound.",
        "Use He (nn.init.kaiming_normal_, std sqrt(2/fan_in)) before ReLU-family activations, LeCun (std "
        "sqrt(1/fan_in)) before SELU and for layers with no activation, Xavier/Glorot (xavier_normal_, std "
        "sqrt(2/(fan_in+fan_out)), gain 5/3 for tanh) before tanh or sigmoid; initialise biases to 0 (or "
        "0.01 before a ReLU). PyTorch's default is sound for shallow networks; deep ones also want "
        "normalisation layers or residual connections (zeroing the last layer of each residual branch is "
        "fine: the block starts as the identity).",
        explains=(
            "vanishing-gradients",
            "exploding-gradients",
            "loss-plateau",
            "dead-relu",
            "saturated-activations",
            "loss-nonfinite",
        ),
        detected=True,
    ),
    Entry(
        "dead-relu",
        "Many ReLU units never fire",
        SYMPTOM,
        W,
        "A ReLU whose input is negative for every sample outputs 0 and gets no gradient, so it never "
        "recovers. A few dead units in a wide layer are normal; when half a layer or more is silent, the "
        "layer passes on little, and when all of it is silent, nothing below it learns. Too high a learning "
        "rate, large negative biases and very narrow layers are the usual causes.",
        "Use LeakyReLU (negative slope 0.01) or GELU; lower the learning rate 3-10x if the units died "
        "during training; use He init (kaiming_normal_, biases 0) and normalised inputs; keep hidden layers "
        "at 32 units or more.",
        explains=("loss-plateau", "learning-bottleneck"),
        detected=True,
    ),
    Entry(
        "saturated-activations",
        "Sigmoid/tanh units are saturated",
        SYMPTOM,
        W,
        "A sigmoid past |z| = 4.6 (output below 0.01 or above 0.99) or a tanh past |z| = 2.3 (|output| "
        "above 0.98) is on the flat part of its curve: its slope is under 4% of the maximum, so the "
        "gradient through it is cut 25x or more. Units that flip between their bounds still work as on/off "
        "features; when most of a layer stays there while the loss is stuck, the layer blocks learning. "
        "In a recurrent layer (nn.RNN, LSTM, GRU or a hand-written cell) the cut repeats at every time "
        "step: a quarter of its outputs saturated from the first batches is already too many, even while "
        "the loss falls.",
        "Keep the pre-activations within about +-2 (tanh) or +-4 (sigmoid): standardise the inputs; average "
        "rather than sum over many inputs (pooling, bags of embeddings); drop scale factors in front of the "
        "activation; use Xavier init (nn.init.xavier_normal_, gain 5/3 for tanh); put a LayerNorm or "
        "BatchNorm before the activation. Hidden layers learn more easily with ReLU/GELU, and sequences "
        "with an LSTM/GRU rather than a tanh RNN.",
        explains=("vanishing-gradients", "loss-plateau", "learning-bottleneck"),
        detected=True,
    ),
    Entry(
        "batch-too-large",
        "The batch is too large for the run",
        CAUSE,
        W,
        "With very large batches (full-batch training) the run makes only a handful of updates, and the "
        "little gradient noise left helps generalisation less.",
        "Use mini-batches: try 32 or 64, and smaller (16 or 8) if the data set is small; scale the learning "
        "rate with the batch size.",
        explains=("learning-bottleneck", "loss-plateau", "still-learning"),
        detected=True,
    ),
    Entry(
        "capacity-too-small",
        "The network is too small for the task",
        CAUSE,
        W,
        "The training loss flattens far above what the task allows while optimisation is healthy: the model "
        "cannot represent the function.",
        "Start with 3 to 8 layers and hidden widths of 256 to 1024 (for regression 2 to 3 times the number "
        "of inputs or outputs), then shrink once it fits; never make a layer narrower than the output.",
        # a bounded bottleneck (tanh, sigmoid) too narrow for the outputs is driven to its extremes
        explains=("loss-plateau", "learning-bottleneck", "saturated-activations"),
        detected=True,
    ),
    Entry(
        "wrong-output-activation",
        "The last layer's activation does not fit the loss or the targets",
        CAUSE,
        E,
        "The model ends in an activation the loss cannot work with. A ReLU, sigmoid or tanh ending a "
        "regression cannot reach targets beyond its bound (a ReLU output pushed below 0 dies). A softmax "
        "before cross_entropy, or a sigmoid before BCEWithLogitsLoss, is applied twice: the outputs are "
        "squeezed into [0, 1], so the loss cannot fall far below chance and its gradients flatten. "
        "nll_loss on raw scores instead of log-probabilities has no minimum.",
        "Regression: end the model with the Linear layer (no activation), unless the targets really live "
        "in the activation's range. cross_entropy and BCEWithLogitsLoss take raw logits: remove the "
        "softmax/sigmoid before them and apply it only at inference. nll_loss takes log_softmax(dim=1).",
        explains=("dead-relu", "saturated-activations", "learning-bottleneck", "loss-plateau"),
        detected=True,
    ),
    Entry(
        "wrong-loss",
        "The loss does not fit the targets",
        CAUSE,
        E,
        "The loss function optimises something other than the task: MSE on class indices treats labels as "
        "numbers on a line; BCE on multi-class indices (targets above 1) has no minimum; cross-entropy on a "
        "single output is always 0; cross-entropy on continuous or multi-label targets makes the outputs "
        "compete for one unit of probability.",
        "Classification with C classes: C raw logits and CrossEntropyLoss with integer (long) targets. "
        "Binary or multi-label: BCEWithLogitsLoss with float targets in [0, 1] of the output's shape. "
        "Regression: MSELoss or L1Loss on standardised targets.",
        # class indices given to a binary loss are valid labels that only look out of range (above 1)
        explains=(
            "loss-plateau",
            "learning-bottleneck",
            "loss-diverging",
            "loss-nonfinite",
            "labels-out-of-range",
        ),
        detected=True,
    ),
    Entry(
        "loss-shape-mismatch",
        "The loss broadcasts mismatched shapes",
        CAUSE,
        E,
        "An element-wise loss (MSE, L1, Huber) given an output of shape (N, 1) and a target of shape (N,) "
        "broadcasts them to (N, N) with only a warning: every prediction is compared with every target of "
        "the batch, so the best the model can do is predict the batch's mean and it learns nothing else.",
        "Make the shapes equal: output.squeeze(-1), or target.unsqueeze(-1) (or view_as(output)).",
        explains=("loss-plateau", "learning-bottleneck"),
        detected=True,
    ),
    Entry(
        "grad-not-zeroed",
        "Gradients are never reset",
        CAUSE,
        E,
        "Without optimizer.zero_grad() the gradients of every step add up, so the update grows step after step.",
        "Call optimizer.zero_grad() once per step (before backward). For deliberate accumulation over k "
        "micro-batches, divide the loss by k and zero the gradients after each optimizer step.",
        explains=("exploding-gradients", "loss-diverging", "loss-oscillating", "loss-nonfinite"),
        detected=True,
    ),
    Entry(
        "params-not-updated",
        "Some trainable parameters never change",
        CAUSE,
        W,
        "Parameters that never reach the optimizer (it was built before a layer was replaced or added, or "
        "on another instance of the model, or the layers sit in a plain Python list or dict, which "
        "model.parameters() does not look into), or that never get a gradient (a layer not used in forward, "
        "an output detached from the loss), stay at their initial values while the rest trains around them.",
        "Pass model.parameters() to the optimizer after the model is complete (and after moving it to the "
        "device); look for .detach(), .data or torch.no_grad() cutting the graph; set requires_grad=False "
        "on what you freeze on purpose.",
        explains=("loss-plateau", "learning-bottleneck"),
        detected=True,
    ),
    Entry(
        "eval-mode-training",
        "Training steps run in eval mode",
        CAUSE,
        W,
        "After model.eval() dropout is off and batch-norm uses its running statistics: the model trains "
        "without regularisation and with frozen normalisation. A batch norm that never saw a batch in "
        "training mode still holds mean 0 and variance 1, and passes its inputs through unnormalised.",
        "Call model.train() at the start of every training epoch, after each validation pass.",
        explains=("overfitting", "no-regularization"),
        detected=True,
    ),
    # --- data and labels (issue: data and label diagnosis) ----------------------------------------
    Entry(
        "data-nonfinite",
        "The data contains NaN or Inf",
        CAUSE,
        E,
        "A single NaN in a batch makes the loss NaN, and one update spreads it to every weight.",
        "Find and fix the source (missing values, division by zero in preprocessing); impute or drop the "
        "rows; assert torch.isfinite(x).all() when loading.",
        explains=("loss-nonfinite",),
        detected=True,
    ),
    Entry(
        "data-not-normalized",
        "Inputs are not normalised",
        CAUSE,
        W,
        "Features far from zero mean and unit scale, or with scales that differ by orders of magnitude, "
        "make the loss surface badly conditioned: one learning rate cannot suit every feature.",
        "Standardise each feature (subtract the training mean, divide by the training std; "
        "sklearn.preprocessing.StandardScaler), or scale pixels to [0, 1].",
        explains=(
            "lr-too-high",
            "exploding-gradients",
            "loss-diverging",
            "loss-oscillating",
            "loss-plateau",
            "saturated-activations",
            "dead-relu",
            "loss-nonfinite",
        ),
        detected=True,
    ),
    Entry(
        "targets-not-normalized",
        "Regression targets are not normalised",
        CAUSE,
        W,
        "Targets with a large magnitude or spread give huge MSE losses and gradients.",
        "Standardise the targets (and invert the transform for predictions), or use a log transform for "
        "targets spanning orders of magnitude.",
        explains=(
            "lr-too-high",
            "loss-diverging",
            "exploding-gradients",
            "loss-nonfinite",
            "loss-plateau",
            "saturated-activations",  # units driven to their bounds chasing targets in the hundreds
        ),
        detected=True,
    ),
    Entry(
        "labels-out-of-range",
        "Labels are outside the range of outputs",
        CAUSE,
        E,
        "Class indices must lie in [0, C) for a C-way output; 1-based labels or one-hot targets where "
        "indices are expected crash the loss or train the wrong classes.",
        "Map labels to 0..C-1 (e.g. y - 1 for 1-based labels) and make the last layer have C outputs.",
        explains=("loss-nonfinite",),
        detected=True,
    ),
    Entry(
        "labels-noisy",
        "Many labels contradict the inputs",
        CAUSE,
        W,
        "When a large share of labels is wrong the model spends its capacity memorising them: the training "
        "loss stalls well above 0, or falls only as the validation loss rises; a batch's loss swings with how "
        "many wrong labels it drew. Found by confident learning: a simple model trained without each "
        "sample's label confidently predicts another class.",
        "Review the suspect samples listed (relabel or drop the wrong ones: cleanlab's find_label_issues "
        "ranks them all); with 10-20% noise, label smoothing (0.1) or a noise-robust loss and early "
        "stopping on a clean validation set limit the damage.",
        explains=("loss-plateau", "loss-oscillating", "overfitting", "learning-bottleneck"),
        detected=True,
    ),
    Entry(
        "class-imbalance",
        "Classes are badly imbalanced",
        CAUSE,
        W,
        "With an unweighted loss the model learns to predict the majority class and accuracy looks fine.",
        "Weight the loss by inverse class frequency (CrossEntropyLoss(weight=...)), resample "
        "(WeightedRandomSampler), and judge with balanced accuracy, F1 or per-class recall.",
        explains=("learning-bottleneck", "loss-plateau"),
        detected=True,
    ),
    Entry(
        "data-unshuffled",
        "Batches are ordered by class",
        CAUSE,
        W,
        "Data sorted by label and fed in order gives batches of one or few classes: each run of batches "
        "pulls the model towards predicting its class, the next run pulls it away, so the loss swings "
        "with the class order and the model ends up favouring the last classes seen.",
        "Shuffle the training data every epoch: DataLoader(..., shuffle=True), or a fresh "
        "torch.randperm(n) over the indices each epoch when batching by hand.",
        explains=("loss-oscillating", "loss-spike", "loss-plateau", "loss-diverging"),
        detected=True,
    ),
    Entry(
        "train-val-overlap",
        "Validation samples were trained on",
        CAUSE,
        W,
        "Samples present in both sets make validation scores optimistic: on them the model is scored on "
        "what it memorised, so the validation loss understates the error on new data and early stopping "
        "and model selection are misled. Found by hashing the inputs of training and validation batches.",
        "Split once, on unique samples, before any oversampling or augmentation, and drop validation "
        "samples that also occur in the training set (group near-copies such as frames of one video or "
        "one patient's records into the same split).",
        detected=True,
    ),
    Entry(
        "train-val-mismatch",
        "Validation data comes from another distribution",
        CAUSE,
        W,
        "The validation inputs have other per-feature means or spreads than the training inputs, by far "
        "more than sampling noise: typically preprocessing applied to one split only (a scaler fitted and "
        "applied to the training data but not to the validation data), so the validation loss measures "
        "inputs the model never saw the like of.",
        "Apply the same preprocessing, fitted on the training data, to both sets; if the split is "
        "deliberately by time or source, expect the gap and validate on data like what you will deploy on.",
        explains=("overfitting", "dataset-problem"),
        detected=True,
    ),
    Entry(
        "data-duplicates",
        "The data has many duplicate samples",
        CAUSE,
        W,
        "Duplicates overweight some samples and leak across splits.",
        "Deduplicate before splitting.",
        explains=("overfitting",),
        detected=True,
    ),
    Entry(
        "data-constant-features",
        "Some features are constant",
        CAUSE,
        I,
        "A feature with a single value carries no information and breaks standardisation (std = 0); when "
        "every input is constant (a preprocessing bug that zeroed or clipped them all) nothing can be "
        "learned and the loss stays at chance.",
        "Drop constant columns before training; if every input is constant, check the preprocessing step "
        "that produced them (print a few rows right before the model).",
        detected=True,
    ),
    # --- curve states (issue: loss curves) ---------------------------------------------------------
    Entry(
        "still-learning",
        "Still learning",
        STATE,
        I,
        "Train and validation losses were both still falling when the run ended, the validation loss at "
        "its lowest: the model had more to learn.",
        "Train longer (more epochs, or a longer schedule); keep early stopping on the validation loss so "
        "that the extra epochs cannot overfit.",
        detected=True,
    ),
    Entry(
        "overfitting",
        "Overfitting",
        STATE,
        W,
        "The training loss keeps falling while the validation loss has stopped falling or rises.",
        "Stop at the best validation epoch (early stopping); add regularisation (dropout 0.1-0.5, weight "
        "decay 1e-4 to 1e-2), augment the data or get more of it.",
        detected=True,
    ),
    Entry(
        "no-regularization",
        "Overfitting with no regularisation",
        CAUSE,
        W,
        "The model overfits and uses neither dropout nor weight decay (seen in live runs; a saved log "
        "does not say how the model was built).",
        "Add dropout (p = 0.1 to 0.5 before the last layers) and weight decay (AdamW, 1e-4 to 1e-2); use "
        "early stopping.",
        explains=("overfitting",),
        detected=True,
    ),
    Entry(
        "dataset-problem",
        "The training curve and validation curve disagree",
        STATE,
        W,
        "The training loss is flat while the validation loss falls: the two sets do not measure the same "
        "thing, which points at the data (leakage, different preprocessing, a tiny or easy validation set).",
        "Check how the split and the preprocessing were made; compare the two sets' statistics; look for "
        "noisy or wrong training labels.",
        detected=True,
    ),
    Entry(
        "learning-bottleneck",
        "Learning has hit a bottleneck",
        STATE,
        W,
        "Train and validation losses are both flat at a level well above what the task allows (near "
        "chance level ln(C) when the number of classes is known, or near where the run started); flat at a "
        "good level is convergence, not a bottleneck.",
        "Lower the learning rate (or let a schedule lower it) or reduce the batch size; if that does not "
        "help, the model may be too small.",
        explains=("loss-plateau",),
        detected=True,
    ),
]

CATALOG: dict[str, Entry] = {entry.id: entry for entry in _ENTRIES}
assert len(CATALOG) == len(_ENTRIES), "duplicate catalog id"


def entry(finding_id: str) -> Entry:
    """The catalog entry of an id; a clear error for an unknown one."""
    try:
        return CATALOG[finding_id]
    except KeyError:
        raise KeyError(f"unknown finding id {finding_id!r}: `nndoctor explain --list` shows them") from None


def explained_by(finding_id: str) -> set[str]:
    """Every id that explains `finding_id`, directly or through intermediate symptoms."""
    result: set[str] = set()
    frontier = [finding_id]
    while frontier:
        child = frontier.pop()
        for parent in (e.id for e in _ENTRIES if child in e.explains):
            if parent not in result:
                result.add(parent)
                frontier.append(parent)
    result.discard(finding_id)
    return result
