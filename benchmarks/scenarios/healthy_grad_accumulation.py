"""Binary classification of two noisy concentric rings with an MLP, using gradient
accumulation: the loss is divided by 4 and optimizer.step() runs every 4 micro-batches."""
# fault: none
# shows:

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(5)


def make_rings(n):
    label = torch.randint(0, 2, (n,))
    radius = 1.0 + 1.0 * label.float() + 0.25 * torch.randn(n)
    angle = 2 * math.pi * torch.rand(n)
    pts = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], 1)
    return pts, label.float()


X_train, y_train = make_rings(2048)
X_val, y_val = make_rings(512)


class RingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 32)
        self.fc2 = nn.Linear(32, 32)
        self.fc3 = nn.Linear(32, 1)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x))))).squeeze(1)


model = RingNet()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
micro_batch, accum_steps = 16, 4

for epoch in range(12):
    perm = torch.randperm(len(X_train))
    optimizer.zero_grad()
    epoch_loss, n_micro = 0.0, 0
    for i, start in enumerate(range(0, len(X_train), micro_batch)):
        idx = perm[start : start + micro_batch]
        loss = F.binary_cross_entropy_with_logits(model(X_train[idx]), y_train[idx])
        (loss / accum_steps).backward()
        epoch_loss += loss.item()
        n_micro += 1
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
    with torch.no_grad():
        val_acc = ((model(X_val) > 0).float() == y_val).float().mean().item()
    print(f"epoch {epoch + 1:2d}: loss {epoch_loss / n_micro:.4f}  val acc {val_acc:.3f}")
