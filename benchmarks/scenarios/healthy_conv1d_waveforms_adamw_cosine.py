"""Classify synthetic 1-D waveforms (sine, square, triangle, sawtooth with random frequency,
phase, amplitude and additive noise) with a small Conv1d network (BatchNorm after each
convolution, global average pooling). AdamW with weight decay, and a CosineAnnealingLR schedule
stepped once per batch over the whole run."""
# fault: none
# shows:

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

LENGTH, CLASSES = 128, 4


def make_waveforms(n):
    labels = torch.randint(0, CLASSES, (n,))
    t = torch.linspace(0, 1, LENGTH).unsqueeze(0)  # (1, L)
    freq = torch.empty(n, 1).uniform_(2.0, 6.0)
    phase = torch.rand(n, 1)
    amp = torch.empty(n, 1).uniform_(0.5, 1.5)
    cycle = (freq * t + phase) % 1.0  # position inside the period, in [0, 1)
    sine = torch.sin(2 * math.pi * cycle)
    square = torch.where(cycle < 0.5, 1.0, -1.0)
    triangle = 4 * torch.abs(cycle - 0.5) - 1
    sawtooth = 2 * cycle - 1
    waves = torch.stack([sine, square, triangle, sawtooth], dim=1)  # (n, 4, L)
    x = waves[torch.arange(n), labels] * amp
    x = x + 0.15 * torch.randn_like(x)
    return x.unsqueeze(1), labels  # (n, 1, L)


X_train, y_train = make_waveforms(2000)
X_val, y_val = make_waveforms(500)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=250)


class WaveNet1D(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, kernel_size=7, padding=3)
        self.bn1 = nn.BatchNorm1d(16)
        self.conv2 = nn.Conv1d(16, 32, kernel_size=5, padding=2)
        self.bn2 = nn.BatchNorm1d(32)
        self.conv3 = nn.Conv1d(32, 32, kernel_size=5, padding=2)
        self.bn3 = nn.BatchNorm1d(32)
        self.head = nn.Linear(32, CLASSES)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.bn1(self.conv1(x))), 2)  # 128 -> 64
        x = F.max_pool1d(F.relu(self.bn2(self.conv2(x))), 2)  # 64 -> 32
        x = F.relu(self.bn3(self.conv3(x)))
        x = x.mean(dim=2)  # global average pooling over time
        return self.head(x)


model = WaveNet1D()
epochs = 8
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(train_loader))

for epoch in range(epochs):
    model.train()
    total, n_seen = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(xb)
        n_seen += len(xb)

    model.eval()
    correct, val_loss = 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = model(xb)
            val_loss += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
    print(
        f"epoch {epoch + 1}  lr {scheduler.get_last_lr()[0]:.2e}  train loss {total / n_seen:.4f}  "
        f"val loss {val_loss / len(X_val):.4f}  val acc {correct / len(X_val):.3f}"
    )
