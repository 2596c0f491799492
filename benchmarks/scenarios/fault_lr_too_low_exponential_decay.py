"""Breast-cancer MLP classifier (standardised features, manual mini-batching, Adam) with an
ExponentialLR(gamma=0.9) that was meant to be stepped once per epoch but is stepped after every
mini-batch, so the learning rate collapses towards zero within the first epochs."""
# fault: lr-too-low
# shows: loss-plateau

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(0)

X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.long)
idx = torch.randperm(len(X))
X, y = X[idx], y[idx]
X_tr, y_tr, X_te, y_te = X[:455], y[:455], X[455:], y[455:]
mu, sigma = X_tr.mean(dim=0), X_tr.std(dim=0)
X_tr, X_te = (X_tr - mu) / sigma, (X_te - mu) / sigma

model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)

BATCH = 16
for epoch in range(25):
    perm = torch.randperm(len(X_tr))
    losses = []
    for start in range(0, len(X_tr), BATCH):
        b = perm[start : start + BATCH]
        out = model(X_tr[b])
        loss = F.cross_entropy(out, y_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    if epoch % 5 == 4:
        with torch.no_grad():
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        print(
            f"epoch {epoch + 1}: loss={sum(losses) / len(losses):.4f} test_acc={acc:.3f} lr={sched.get_last_lr()[0]:.1e}"
        )
