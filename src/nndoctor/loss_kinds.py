"""Groups of torch.nn.functional losses by what their arguments are, shared by the monitor and the checks."""

# classifiers whose input holds one score per class, (N, C, ...), soft-maxed by the loss (or before it):
# a model that learned nothing scores ln(C)
CLASS_SCORE_LOSSES = ("cross_entropy", "nll_loss")
# losses whose targets are class indices 0..C-1
CLASS_INDEX_LOSSES = (*CLASS_SCORE_LOSSES, "multi_margin_loss")
BINARY_LOSSES = ("binary_cross_entropy", "binary_cross_entropy_with_logits")
# regressions whose output approximates the target value itself
POINT_REGRESSION_LOSSES = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss")
# negative log-likelihoods whose minimum is the data's own (Poisson: the mean of y - y ln y over the
# targets, positive for small counts; Gaussian: negative as the variance shrinks), not 0
LIKELIHOOD_LOSSES = ("poisson_nll_loss", "gaussian_nll_loss")
# every loss whose targets are numbers, not classes (a likelihood's output is a rate or a mean)
REGRESSION_LOSSES = (*POINT_REGRESSION_LOSSES, *LIKELIHOOD_LOSSES)

# losses that compare two or three inputs (items drawn into pairs or triplets): the second argument is
# an input, the target (if any) comes third, and an item recurs across the pairs by design
COMPARED_INPUTS_LOSSES = ("margin_ranking_loss", "cosine_embedding_loss", "triplet_margin_loss")
# losses whose targets are signs, +1 or -1 (which of two items ranks higher, whether two embeddings match)
SIGN_TARGET_LOSSES = (
    "margin_ranking_loss",
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "soft_margin_loss",
)
