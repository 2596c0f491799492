"""Digits CNN on a harder variant of the 8x8 digits: every digit is pasted at a random offset into a
12x12 canvas with background noise. Four bias-free 3x3 convolutions, each followed by BatchNorm2d
and ReLU (max-pooling after the second and fourth), then Dropout(0.3) and a linear classifier; SGD
with momentum 0.9 at lr 0.01, batches of 64, 10 epochs.

The bug: the author wrote an evaluate() helper that calls model.eval(), and calls it once before the
training loop to log the untrained model's accuracy (a habit from a notebook), and again at the end
of every epoch. Nothing ever calls model.train(), so the whole run trains in eval mode: the
batch-norm layers normalise with their initial running statistics (mean 0, variance 1, which never
get updated) instead of the batch statistics, so they do no normalisation at all, and dropout is
off. The network trains as a plain, bias-free deep CNN without normalisation, whose signal shrinks
layer by layer at PyTorch's default init: the loss hardly leaves ln 10 (2.30 to ~2.26 in 10
epochs, val acc ~0.2). With model.train() at the top of each epoch the same script reaches a
training loss of ~0.015 and ~0.98 val acc."""
# fault: eval-mode-training
# shows: loss-plateau

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

digits = load_digits()
n = len(digits.target)
canvas = rng.normal(0.0, 0.08, size=(n, 12, 12)).astype(np.float32)
offsets = rng.integers(0, 5, size=(n, 2))
for k in range(n):
    r, c = offsets[k]
    canvas[k, r : r + 8, c : c + 8] += digits.images[k] / 16.0
images = torch.from_numpy(np.clip(canvas, 0.0, 1.0)).unsqueeze(1)
labels = torch.from_numpy(digits.target).long()

perm = torch.randperm(n)
train_idx, val_idx = perm[:1440], perm[1440:]
train_loader = DataLoader(TensorDataset(images[train_idx], labels[train_idx]), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(images[val_idx], labels[val_idx]), batch_size=256)


def conv_bn(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU())


class ShiftedDigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(1, 32),
            conv_bn(32, 32),
            nn.MaxPool2d(2),  # 6x6
            conv_bn(32, 64),
            conv_bn(64, 64),
            nn.MaxPool2d(2),  # 3x3
        )
        self.dropout = nn.Dropout(0.3)
        self.classifier = nn.Linear(64 * 3 * 3, 10)

    def forward(self, x):
        return self.classifier(self.dropout(self.features(x).flatten(1)))


def evaluate(model, loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            loss_sum += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            total += len(yb)
    return loss_sum / total, correct / total


model = ShiftedDigitsCNN()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

base_loss, base_acc = evaluate(model, val_loader)
print(f"before training: val loss {base_loss:.4f}  val acc {base_acc:.3f}")

for epoch in range(10):
    running, batches = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item()
        batches += 1
    val_loss, val_acc = evaluate(model, val_loader)
    print(
        f"epoch {epoch + 1:2d}  train loss {running / batches:.4f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}"
    )
