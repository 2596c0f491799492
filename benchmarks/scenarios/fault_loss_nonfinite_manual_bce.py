"""Logistic-regression-style MLP on a cleanly separable synthetic dataset, trained with Adam
(lr=1e-2) and a hand-written binary cross-entropy -[y*log(p) + (1-y)*log(1-p)] on
p = sigmoid(logits). Once the model is confident, p rounds to exactly 1.0 in float32,
log(1 - p) = -inf, 0 * -inf = NaN, and the loss turns NaN."""
# fault: loss-nonfinite
# shows:

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

# two well separated Gaussian clouds in 8 dimensions
n = 1000
direction = torch.randn(8)
direction /= direction.norm()
labels = torch.randint(0, 2, (n,)).float()
features = torch.randn(n, 8) + 4.0 * (2 * labels[:, None] - 1) * direction

loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)


def binary_cross_entropy(probs, targets):
    return -(targets * torch.log(probs) + (1 - targets) * torch.log(1 - probs)).mean()


for epoch in range(20):
    epoch_loss = 0.0
    correct = 0
    for xb, yb in loader:
        probs = torch.sigmoid(model(xb).squeeze(1))
        loss = binary_cross_entropy(probs, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * len(yb)
        correct += ((probs > 0.5).float() == yb).sum().item()
    print(f"epoch {epoch + 1:2d}  loss {epoch_loss / n:.5f}  acc {correct / n:.3f}")
