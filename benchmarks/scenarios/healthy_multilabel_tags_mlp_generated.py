"""Multi-label tagging of generated product records: 24 standardised numeric features per item and
6 independent yes/no tags (each item can carry any subset, 0 to 6 tags). Each tag is a noisy nonlinear
rule of a few features (products, thresholds, a sum of squares), drawn from a fixed generator. An MLP
with 6 output logits is trained with BCEWithLogitsLoss against the 0/1 tag matrix (AdamW 1e-3, weight
decay 1e-2, batch 64, 20 epochs); validation reports the per-tag accuracy, exact-match ratio and
micro-F1 at a 0.5 threshold."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

N, D = 6000, 24
X = np.random.randn(N, D).astype(np.float32)
noise = 0.3 * np.random.randn(N, 6)
scores = np.stack(
    [
        X[:, 0] + X[:, 1] - 0.5,
        X[:, 2] * X[:, 3],
        (X[:, 4] ** 2 + X[:, 5] ** 2) - 1.4,
        np.sin(2 * X[:, 6]) + X[:, 7],
        X[:, 8] - np.abs(X[:, 9]) + 0.4,
        X[:, 0] * X[:, 10] + X[:, 11],
    ],
    axis=1,
)
Y = (scores + noise > 0).astype(np.float32)
print("tag frequencies:", np.round(Y.mean(0), 2))

X_t, Y_t = torch.from_numpy(X), torch.from_numpy(Y)
X_train, Y_train, X_val, Y_val = X_t[:5000], Y_t[:5000], X_t[5000:], Y_t[5000:]
loader = DataLoader(TensorDataset(X_train, Y_train), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Linear(D, 128),
    nn.ReLU(),
    nn.Linear(128, 128),
    nn.ReLU(),
    nn.Linear(128, 6),
)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)


def evaluate():
    model.eval()
    with torch.no_grad():
        logits = model(X_val)
        loss = criterion(logits, Y_val).item()
        pred = (logits > 0).float()
    tp = (pred * Y_val).sum()
    fp = (pred * (1 - Y_val)).sum()
    fn = ((1 - pred) * Y_val).sum()
    f1 = (2 * tp / (2 * tp + fp + fn)).item()
    tag_acc = (pred == Y_val).float().mean().item()
    exact = (pred == Y_val).all(dim=1).float().mean().item()
    return loss, tag_acc, exact, f1


for epoch in range(20):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    if epoch % 4 == 0 or epoch == 19:
        val_loss, tag_acc, exact, f1 = evaluate()
        print(
            f"epoch {epoch + 1:2d}  train bce {total / len(X_train):.4f}  val bce {val_loss:.4f}  "
            f"tag acc {tag_acc:.3f}  exact match {exact:.3f}  micro-F1 {f1:.3f}"
        )
