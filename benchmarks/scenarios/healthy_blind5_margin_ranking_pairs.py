"""Learning-to-rank with pairwise preferences: each item (a product listing) has 8 features and a
hidden relevance score; the training signal is only "item A should rank above item B". Pairs are
sampled so that the two relevances differ clearly (|r_a - r_b| > 0.5), as in logged click
preferences after filtering out ties.

A small scorer MLP (8 -> 64 -> 32 -> 1) is trained with nn.MarginRankingLoss(margin=1.0) and SGD with
Nesterov momentum (lr 0.05), batch 32. The preferences are consistent, so once the scorer has
learned the ordering every pair in a batch clears the margin and the hinge loss is exactly 0 on most
batches late in training; this is the intended end state of a margin loss, not a stall. The script
prints the share of zero-loss batches and the validation pairwise accuracy (about 99%)."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

n_items = 3000
feats = rng.normal(size=(n_items, 8)).astype(np.float32)
w = rng.normal(size=8)
relevance = feats @ w + 0.5 * np.sin(2 * feats[:, 0])


def sample_pairs(idx, n_pairs):
    a = rng.choice(idx, size=4 * n_pairs)
    b = rng.choice(idx, size=4 * n_pairs)
    keep = np.abs(relevance[a] - relevance[b]) > 0.5
    a, b = a[keep][:n_pairs], b[keep][:n_pairs]
    target = np.where(relevance[a] > relevance[b], 1.0, -1.0).astype(np.float32)
    return torch.from_numpy(feats[a]), torch.from_numpy(feats[b]), torch.from_numpy(target)


items = rng.permutation(n_items)
train_items, val_items = items[:2400], items[2400:]
train_ds = TensorDataset(*sample_pairs(train_items, 8000))
val_ds = TensorDataset(*sample_pairs(val_items, 2000))
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=500)


class Scorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.mlp(x).squeeze(-1)


model = Scorer()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
criterion = nn.MarginRankingLoss(margin=1.0)

for epoch in range(1, 13):
    model.train()
    running, zero_batches, n_batches = 0.0, 0, 0
    for xa, xb, t in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xa), model(xb), t)
        loss.backward()
        optimizer.step()
        running += loss.item()
        zero_batches += int(loss.item() == 0.0)
        n_batches += 1
    model.eval()
    val_loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xa, xb, t in val_loader:
            sa, sb = model(xa), model(xb)
            val_loss += criterion(sa, sb, t).item() * t.numel()
            correct += ((sa - sb).sign() == t).sum().item()
            n += t.numel()
    print(
        f"epoch {epoch:2d}  train loss {running / n_batches:.4f}  zero-loss batches {zero_batches}/{n_batches}"
        f"  val loss {val_loss / n:.4f}  val pair acc {correct / n:.3f}"
    )
