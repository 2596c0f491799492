"""Three interleaved spirals classified by softmax regression: one nn.Linear(2, 3) trained with
cross-entropy. Straight boundaries cannot follow the spiral arms, so the loss levels off far above 0
(about 0.7 against ln 3 = 1.10 at chance) while SGD itself works fine."""

# fault: capacity-too-small
# shows: loss-plateau
import math

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)


def spirals(n_per_class, classes=3):
    xs, ys = [], []
    for c in range(classes):
        r = torch.linspace(0.1, 1.0, n_per_class)
        theta = 4.0 * r + 2 * math.pi * c / classes + 0.2 * torch.randn(n_per_class)
        xs.append(torch.stack([r * torch.sin(theta), r * torch.cos(theta)], 1))
        ys.append(torch.full((n_per_class,), c))
    return torch.cat(xs), torch.cat(ys)


X, y = spirals(600)
model = nn.Linear(2, 3)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(12):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
    if epoch % 3 == 2:
        acc = (model(X).argmax(1) == y).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.3f}  acc {acc:.3f}")
