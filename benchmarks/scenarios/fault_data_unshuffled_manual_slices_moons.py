"""Two-moons classifier with manual batching: the arrays come out of make_moons(shuffle=False), so the
first half is one class and the second half the other, and the loop slices them in order every epoch."""
# fault: data-unshuffled
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import make_moons

torch.manual_seed(8)
X, y = make_moons(n_samples=1000, noise=0.1, shuffle=False, random_state=8)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)

model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
for epoch in range(10):
    for start in range(0, len(X), 50):
        xb, yb = X[start : start + 50], y[start : start + 50]
        loss = nn.functional.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
