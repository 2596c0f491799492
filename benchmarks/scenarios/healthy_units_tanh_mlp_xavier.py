"""Regression on scikit-learn's Friedman #1 function (10 inputs, 5 of them used, noise 1.0) with a
4-hidden-layer tanh MLP, Xavier-initialised with the tanh gain (5/3) and zero biases, standardised
inputs and targets, SGD with momentum. The tanh units stay in their working range (2-7% of outputs
beyond +-0.98) and the training MSE falls from ~1 to ~0.06, near the noise floor of ~0.04 (val ~0.15)."""
# fault: none
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)

X, y = make_friedman1(n_samples=2000, noise=1.0, random_state=0)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32).unsqueeze(1)
X_train, y_train, X_val, y_val = X[:1600], y[:1600], X[1600:], y[1600:]

layers, width = [], 10
for _ in range(4):
    layers += [nn.Linear(width, 64), nn.Tanh()]
    width = 64
model = nn.Sequential(*layers, nn.Linear(width, 1))
for module in model:
    if isinstance(module, nn.Linear):
        nn.init.xavier_normal_(module.weight, gain=nn.init.calculate_gain("tanh"))
        nn.init.zeros_(module.bias)

optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
criterion = nn.MSELoss()

for epoch in range(15):
    permutation = torch.randperm(len(X_train))
    for start in range(0, len(X_train), 32):
        index = permutation[start : start + 32]
        optimizer.zero_grad()
        loss = criterion(model(X_train[index]), y_train[index])
        loss.backward()
        optimizer.step()
    if epoch % 3 == 2:
        with torch.no_grad():
            val_loss = criterion(model(X_val), y_val).item()
        print(f"epoch {epoch + 1}: train {loss.item():.3f}, val {val_loss:.3f}")
