"""Poisson regression of generated insurance claim counts: 6 standardised policy features, an exposure
(fraction of a year insured, 0.1 to 1) and a claim count drawn from Poisson(exposure * rate(x)), where
log rate(x) is a smooth nonlinear function of the features (counts 0 to ~15, mostly 0-2). A small MLP
predicts log rate(x); log(exposure) is added as an offset, and nn.PoissonNLLLoss(log_input=True) takes
that log-mean against the raw counts. Adam 1e-3, batch 128. Validation reports the mean Poisson
deviance of the model next to that of the constant-rate baseline and of the true rate."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

N = 8000
X = np.random.randn(N, 6).astype(np.float32)
exposure = np.random.uniform(0.1, 1.0, size=N).astype(np.float32)
log_rate = 0.2 + 0.6 * X[:, 0] - 0.4 * X[:, 1] ** 2 + 0.5 * np.tanh(2 * X[:, 2]) + 0.3 * X[:, 3] * X[:, 4]
counts = np.random.poisson(exposure * np.exp(log_rate)).astype(np.float32)
print(f"counts: mean {counts.mean():.2f}, max {counts.max():.0f}, share of zeros {(counts == 0).mean():.2f}")

X_t = torch.from_numpy(X)
off_t = torch.from_numpy(np.log(exposure)).unsqueeze(1)
y_t = torch.from_numpy(counts).unsqueeze(1)
true_mu_val = torch.from_numpy(exposure[6500:] * np.exp(log_rate[6500:])).unsqueeze(1)
X_train, off_train, y_train = X_t[:6500], off_t[:6500], y_t[:6500]
X_val, off_val, y_val = X_t[6500:], off_t[6500:], y_t[6500:]
loader = DataLoader(TensorDataset(X_train, off_train, y_train), batch_size=128, shuffle=True)

model = nn.Sequential(nn.Linear(6, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
criterion = nn.PoissonNLLLoss(log_input=True)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def poisson_deviance(mu, y):
    # 2 * mean(y log(y / mu) - (y - mu)), with 0 log 0 = 0
    term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))
    return (2 * (term - (y - mu))).mean().item()


base_rate = y_train.sum() / off_train.exp().sum()
print(
    f"val deviance: constant rate {poisson_deviance(base_rate * off_val.exp(), y_val):.4f}, "
    f"true rate {poisson_deviance(true_mu_val, y_val):.4f}"
)

for epoch in range(25):
    model.train()
    total = 0.0
    for xb, ob, yb in loader:
        optimizer.zero_grad()
        log_mu = model(xb) + ob
        loss = criterion(log_mu, yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    if epoch % 4 == 0 or epoch == 24:
        model.eval()
        with torch.no_grad():
            log_mu = model(X_val) + off_val
            val_loss = criterion(log_mu, y_val).item()
            dev = poisson_deviance(log_mu.exp(), y_val)
        print(
            f"epoch {epoch + 1:2d}  train nll {total / len(X_train):.4f}  val nll {val_loss:.4f}  "
            f"val deviance {dev:.4f}"
        )
