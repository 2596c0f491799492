"""Tabular classifier for four generated customer segments (sklearn's make_classification: 20,000
rows, 24 features of which 10 informative, standardised), a 24-128-64-4 MLP with LayerNorm and GELU,
AdamW at a peak lr of 1e-3, batches of 32 (500 per epoch), 4 epochs. The schedule is taken from a
recipe: a linear warm-up over WARMUP_STEPS = 1000 optimizer steps, then cosine decay to zero at the
last step, written as a LambdaLR over step counts.

The bug: scheduler.step() sits in the epoch loop, after the validation pass, instead of next to
optimizer.step() in the batch loop. The lambda counts optimizer steps, but the scheduler only
advances once per epoch, so after 2,000 optimizer steps it has reached "step" 4 of its 1,000-step
warm-up: the learning rate goes 1e-6, 2e-6, 3e-6, 4e-6 and never gets near its peak. The loss
creeps from ln 4 = 1.39 to ~1.24 (val acc ~0.5), where the same script with the scheduler stepped
per batch reaches a training loss of ~0.23 and ~0.92 val acc."""
# fault: lr-too-low
# shows:

import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = make_classification(
    n_samples=20000,
    n_features=24,
    n_informative=10,
    n_redundant=6,
    n_classes=4,
    n_clusters_per_class=2,
    class_sep=1.2,
    random_state=3,
)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
scaler = StandardScaler().fit(Xtr)
Xtr = torch.tensor(scaler.transform(Xtr), dtype=torch.float32)
Xva = torch.tensor(scaler.transform(Xva), dtype=torch.float32)
ytr, yva = torch.tensor(ytr), torch.tensor(yva)
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)

model = nn.Sequential(
    nn.Linear(24, 128),
    nn.LayerNorm(128),
    nn.GELU(),
    nn.Linear(128, 64),
    nn.LayerNorm(64),
    nn.GELU(),
    nn.Linear(64, 4),
)
criterion = nn.CrossEntropyLoss()

EPOCHS = 4
PEAK_LR = 1e-3
WARMUP_STEPS = 1000
TOTAL_STEPS = EPOCHS * len(train_loader)


def warmup_cosine(step):
    if step < WARMUP_STEPS:
        return (step + 1) / WARMUP_STEPS
    progress = (step - WARMUP_STEPS) / max(1, TOTAL_STEPS - WARMUP_STEPS)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


optimizer = torch.optim.AdamW(model.parameters(), lr=PEAK_LR, weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine)
print(f"{len(train_loader)} batches/epoch, {TOTAL_STEPS} steps, warm-up {WARMUP_STEPS} steps")

global_step = 0
for epoch in range(EPOCHS):
    model.train()
    total, count, window = 0.0, 0, []
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        global_step += 1
        total += loss.item() * len(yb)
        count += len(yb)
        window.append(loss.item())
        if global_step % 250 == 0:
            print(f"  step {global_step:4d}  loss (last 250) {sum(window) / len(window):.4f}")
            window = []

    model.eval()
    with torch.no_grad():
        logits = model(Xva)
        val_loss = criterion(logits, yva).item()
        val_acc = (logits.argmax(1) == yva).float().mean().item()
    lr_now = optimizer.param_groups[0]["lr"]
    scheduler.step()
    print(
        f"epoch {epoch + 1}  lr {lr_now:.2e}  train loss {total / count:.4f}  "
        f"val loss {val_loss:.4f}  val acc {val_acc:.3f}"
    )
