"""Logistic-regression-sized MLP on the (standardised) wine data, trained full-batch with L-BFGS and a
closure, the usual way to fit a tiny data set; it converges in a few dozen steps."""

# fault: none
# shows:
import torch
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(0)
data = load_wine()
X = torch.tensor(StandardScaler().fit_transform(data.data), dtype=torch.float32)
y = torch.tensor(data.target)

model = nn.Sequential(nn.Linear(13, 16), nn.Tanh(), nn.Linear(16, 3))
optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=10, history_size=10)
criterion = nn.CrossEntropyLoss()


def closure():
    optimizer.zero_grad()
    loss = criterion(model(X), y) + 1e-3 * sum(p.pow(2).sum() for p in model.parameters())
    loss.backward()
    return loss


for step in range(30):
    loss = optimizer.step(closure)
    if step % 10 == 9:
        with torch.no_grad():
            acc = (model(X).argmax(1) == y).float().mean().item()
        print(f"step {step}: loss {loss.item():.4f}  acc {acc:.3f}")
