"""Defect detector on generated production-line measurements (20 features, ~17% defective parts),
MLP trained with AdamW. To keep the rare class from being drowned out, the author wrote a "balanced"
BCE: the per-sample losses are averaged separately over the defective and the good parts of each batch,
each as a masked mean `(loss * mask).sum() / mask.sum()`, and the two means are added.

Bug: the denominators are per-batch counts. With batches of 32 and 17% positives, about one batch in
four hundred holds no defective part at all; the positive term is then 0 / 0 = NaN, its gradient is
NaN too, and one optimizer step turns every weight into NaN. The loss falls normally until that batch
comes along (step 312 of 2560 here; over 40 epochs of 64 batches nearly every draw meets one)."""
# fault: loss-nonfinite
# shows:

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = make_classification(
    n_samples=2560,
    n_features=20,
    n_informative=8,
    weights=[0.83, 0.17],
    flip_y=0.01,
    class_sep=1.0,
    random_state=4,
)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_train)
X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
X_val = torch.tensor(scaler.transform(X_val), dtype=torch.float32)
y_train = torch.tensor(y_train, dtype=torch.float32)
y_val = torch.tensor(y_val, dtype=torch.float32)
print(f"{len(y_train)} training parts, {y_train.mean().item():.1%} defective")
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)


def balanced_bce(logits, targets):
    per_sample = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    pos = targets
    neg = 1 - targets
    return (per_sample * pos).sum() / pos.sum() + (per_sample * neg).sum() / neg.sum()


step = 0
for epoch in range(1, 41):
    model.train()
    losses = []
    for xb, yb in loader:
        loss = balanced_bce(model(xb).squeeze(1), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        step += 1
        if step % 40 == 0:
            print(f"  step {step}: loss {loss.item():.4f}")
    model.eval()
    with torch.no_grad():
        pred = (model(X_val).squeeze(1) > 0).float()
    recall = ((pred == 1) & (y_val == 1)).sum().item() / y_val.sum().item()
    acc = (pred == y_val).float().mean().item()
    print(f"epoch {epoch}: mean loss {np.mean(losses):.4f}  val acc {acc:.3f}  defect recall {recall:.3f}")
