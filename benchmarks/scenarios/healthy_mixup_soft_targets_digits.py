"""Mixup on the 8x8 digits: every training batch is mixed with a shuffled copy of itself,
x = lam * x_i + (1 - lam) * x_j and the one-hot targets the same way, with lam ~ Beta(0.4, 0.4) drawn
once per batch. The loss is a soft-target cross-entropy written by hand,
-(targets * log_softmax(logits)).sum(1).mean(), since the mixed targets are distributions, not indices.
MLP 64-256-256-10 (ReLU), pixels scaled to [0, 1], AdamW 2e-3, batch 64, 30 epochs. The training loss
levels off well above zero (a mixed target has entropy of its own); validation uses the clean images
and reports cross-entropy and accuracy."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

NUM_CLASSES = 10
ALPHA = 0.4

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
X_train, X_val = torch.from_numpy(X_train), torch.from_numpy(X_val)
y_train, y_val = torch.from_numpy(y_train), torch.from_numpy(y_val)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)


def soft_cross_entropy(logits, soft_targets):
    return -(soft_targets * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


def mixup(x, y_onehot, alpha=ALPHA):
    lam = float(np.random.beta(alpha, alpha))
    perm = torch.randperm(x.size(0))
    return lam * x + (1 - lam) * x[perm], lam * y_onehot + (1 - lam) * y_onehot[perm]


model = nn.Sequential(
    nn.Linear(64, 256),
    nn.ReLU(),
    nn.Linear(256, 256),
    nn.ReLU(),
    nn.Linear(256, NUM_CLASSES),
)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)

for epoch in range(30):
    model.train()
    total = 0.0
    for xb, yb in loader:
        targets = F.one_hot(yb, NUM_CLASSES).float()
        xb, targets = mixup(xb, targets)
        optimizer.zero_grad()
        loss = soft_cross_entropy(model(xb), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    if epoch % 5 == 4 or epoch == 0:
        model.eval()
        with torch.no_grad():
            logits = model(X_val)
            val_loss = F.cross_entropy(logits, y_val).item()
            val_acc = (logits.argmax(1) == y_val).float().mean().item()
        print(
            f"epoch {epoch + 1:2d}  train mixup loss {total / len(X_train):.4f}  "
            f"val ce {val_loss:.4f}  val acc {val_acc:.3f}"
        )
