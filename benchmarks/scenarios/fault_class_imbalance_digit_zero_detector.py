"""Ten digit classes collapsed into "is it a 0?" after the labels were re-coded, but only a small
sample of the zeros was kept: about 1 in 40 training samples is positive. A CNN on the 8x8 images in
[0, 1], SGD, plain cross-entropy on two logits."""
# fault: class-imbalance
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)
digits = load_digits()
zeros = np.flatnonzero(digits.target == 0)
others = np.flatnonzero(digits.target != 0)
keep = np.concatenate([others, rng.choice(zeros, 40, replace=False)])
images = torch.tensor(digits.images[keep] / 16.0, dtype=torch.float32).unsqueeze(1)
labels = torch.tensor((digits.target[keep] == 0).astype(np.int64))

model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 64, 32), nn.ReLU(), nn.Linear(32, 2)
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.02)
loader = DataLoader(TensorDataset(images, labels), batch_size=48, shuffle=True)
for epoch in range(4):
    for xb, yb in loader:
        loss = nn.functional.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
