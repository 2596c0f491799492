"""One-vs-rest digit detector: an MLP with ten independent sigmoid outputs ("is this a 3?") trained
with BCEWithLogitsLoss, where each output is positive about 10% of the time. Following the focal-loss
paper's prior-probability init, the author starts the output bias at -log((1 - p) / p) with p = 0.1, so
that the first predictions already match the base rate instead of 0.5. The init function is applied
with `model.apply(...)`, which visits every Linear, so the hidden layers' biases get -2.2 too; with
ReLU hidden layers that switches most hidden units off from the first step, and the loss stays at the
base-rate level."""
# fault: bad-init
# shows:

import math

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
x = torch.tensor(digits.data, dtype=torch.float32) / 16.0
targets = nn.functional.one_hot(torch.tensor(digits.target), 10).float()
order = torch.randperm(len(x))
x, targets = x[order], targets[order]
train = DataLoader(TensorDataset(x[:1400], targets[:1400]), batch_size=64, shuffle=True)
x_val, targets_val = x[1400:], targets[1400:]

PRIOR = 0.1  # each digit is about 10% of the data


def init_prior(module):
    if isinstance(module, nn.Linear):
        nn.init.constant_(module.bias, -math.log((1 - PRIOR) / PRIOR))


model = nn.Sequential(
    nn.Linear(64, 128),
    nn.ReLU(),
    nn.Linear(128, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
)
model.apply(init_prior)

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.BCEWithLogitsLoss()

for epoch in range(10):
    model.train()
    for xb, yb in train:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(x_val)
        val_loss = criterion(logits, targets_val).item()
        val_acc = (logits.argmax(1) == targets_val.argmax(1)).float().mean().item()
    print(
        f"epoch {epoch + 1:2d}  train loss {loss.item():.3f}  val loss {val_loss:.3f}  val acc {val_acc:.3f}"
    )
