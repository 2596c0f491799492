"""1D CNN that classifies noisy waveforms (sine, square, sawtooth, triangle; random frequency,
phase and amplitude) from 64 samples. The conv stack is built in a loop and kept in a plain Python
list (self.convs = [...]) instead of an nn.ModuleList, so the convolutions are not registered as
submodules: model.parameters() only returns the final linear layer, and Adam never updates the
convolutions, which keep their random initial weights. Only the classifier on top of global
average pooling of random features is trained."""
# fault: params-not-updated
# shows:

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

LENGTH, N_CLASSES = 64, 4


def make_waves(n):
    labels = torch.randint(0, N_CLASSES, (n,))
    t = torch.arange(LENGTH).float()
    freq = 0.03 + 0.07 * torch.rand(n, 1)
    phase = torch.rand(n, 1)
    amp = 0.5 + torch.rand(n, 1)
    cycle = (freq * t + phase) % 1.0  # position inside the period, in [0, 1)
    sine = torch.sin(2 * math.pi * cycle)
    square = torch.where(cycle < 0.5, 1.0, -1.0)
    saw = 2 * cycle - 1
    triangle = 4 * (cycle - 0.5).abs() - 1
    waves = torch.stack([sine, square, saw, triangle], dim=1)[torch.arange(n), labels]
    x = amp * waves + 0.2 * torch.randn(n, LENGTH)
    return x.unsqueeze(1), labels


X_train, y_train = make_waves(3000)
X_val, y_val = make_waves(600)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)


class WaveCNN(nn.Module):
    def __init__(self, channels=(1, 16, 32, 32)):
        super().__init__()
        self.convs = []
        for c_in, c_out in zip(channels[:-1], channels[1:]):
            self.convs.append(nn.Conv1d(c_in, c_out, kernel_size=5, padding=2))
        self.fc = nn.Linear(channels[-1], N_CLASSES)

    def forward(self, x):
        for conv in self.convs:
            x = F.max_pool1d(F.relu(conv(x)), 2)
        return self.fc(x.mean(dim=2))


model = WaveCNN()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
criterion = nn.CrossEntropyLoss()

for epoch in range(12):
    model.train()
    total, n = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        n += len(yb)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        logits = model(X_val)
        val_loss = criterion(logits, y_val).item()
        val_acc = (logits.argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch + 1:2d}  train loss {total / n:.4f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}")
