"""A linear SVM-style setup ported to PyTorch: labels are -1/+1 (as the SVM wanted), but the model
now trains with BCEWithLogitsLoss, which expects targets in [0, 1]. Moons data, small MLP, RMSprop."""
# fault: labels-out-of-range
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import make_moons

torch.manual_seed(4)
X, y = make_moons(n_samples=800, noise=0.15, random_state=4)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(2 * y - 1, dtype=torch.float32)  # -1 / +1 labels from the SVM version

model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
criterion = nn.BCEWithLogitsLoss()
for epoch in range(20):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 40):
        idx = perm[i : i + 40]
        loss = criterion(model(X[idx]).squeeze(1), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
