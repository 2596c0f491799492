"""A deliberately small MLP (2-8-8-2, about 100 parameters) on two interleaved moons: small, but wide
enough for the task; it reaches ~0.99 accuracy."""

# fault: none
# shows:
import torch
import torch.nn.functional as F
from sklearn.datasets import make_moons
from torch import nn

X, y = make_moons(n_samples=1000, noise=0.1, random_state=0)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(20):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
    if epoch % 5 == 4:
        acc = (model(X).argmax(1) == y).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.3f}  acc {acc:.3f}")
