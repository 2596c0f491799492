"""Small CNN on the 8x8 scikit-learn digits trained with Adam at lr=0.1 (an SGD-style
learning rate, about 100x too high for Adam): the first updates blow the loss up, the ReLUs
die and the network gets stuck predicting a constant at chance-level loss."""
# fault: lr-too-high
# shows: loss-plateau

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)  # (N, 1, 8, 8)
labels = torch.tensor(digits.target, dtype=torch.long)
perm = torch.randperm(len(labels))
train_idx, val_idx = perm[:1400], perm[1400:]
train_loader = DataLoader(TensorDataset(images[train_idx], labels[train_idx]), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1),
    nn.ReLU(),
    nn.Conv2d(8, 16, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(16 * 4 * 4, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=0.1)

for epoch in range(10):
    model.train()
    losses = []
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        val_acc = (model(images[val_idx]).argmax(1) == labels[val_idx]).float().mean().item()
    print(f"epoch {epoch + 1:2d}  loss {np.mean(losses):.4f}  val acc {val_acc:.3f}")
