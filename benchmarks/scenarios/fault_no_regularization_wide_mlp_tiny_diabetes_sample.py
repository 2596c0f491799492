"""Disease-progression regression on a small pilot sample: 60 patients of the diabetes data set for
training and 150 others for validation, features and target standardised with the training
statistics. The model is a wide MLP (10 -> 512 -> 512 -> 512 -> 1, about 530k parameters), Adam at
2e-4, mini-batches of 12, 150 epochs, no weight decay, no dropout, no early stopping.

Bug: far too much capacity and far too many epochs for 60 samples, with nothing to hold it back. The
training MSE falls towards 0 (0.71 to 0.0000) while the validation MSE bottoms out at ~0.51 around
epoch 6 and then climbs to ~0.95 and stays there: the network memorises the pilot patients, noise
included. A ridge regression on the same 60 patients gets ~0.47 on the validation patients."""
# fault: no-regularization
# shows: overfitting

import numpy as np
import torch
from sklearn.datasets import load_diabetes
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

X, y = load_diabetes(return_X_y=True)
order = rng.permutation(len(X))
train_idx, val_idx = order[:60], order[60:210]
x_mean, x_std = X[train_idx].mean(0), X[train_idx].std(0)
y_mean, y_std = y[train_idx].mean(), y[train_idx].std()
Xs = torch.tensor((X - x_mean) / x_std, dtype=torch.float32)
ys = torch.tensor((y - y_mean) / y_std, dtype=torch.float32).unsqueeze(1)
loader = DataLoader(TensorDataset(Xs[train_idx], ys[train_idx]), batch_size=12, shuffle=True)

model = nn.Sequential(
    nn.Linear(10, 512),
    nn.ReLU(),
    nn.Linear(512, 512),
    nn.ReLU(),
    nn.Linear(512, 512),
    nn.ReLU(),
    nn.Linear(512, 1),
)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-4)
criterion = nn.MSELoss()

best = (float("inf"), 0)
for epoch in range(1, 151):
    model.train()
    for xb, yb in loader:
        loss = criterion(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        train_mse = criterion(model(Xs[train_idx]), ys[train_idx]).item()
        val_mse = criterion(model(Xs[val_idx]), ys[val_idx]).item()
    best = min(best, (val_mse, epoch))
    if epoch in (1, 5, 10, 20) or epoch % 15 == 0:
        print(f"epoch {epoch:3d}: train MSE {train_mse:.4f}  val MSE {val_mse:.4f}")
print(f"best val MSE {best[0]:.4f} at epoch {best[1]}; final val MSE {val_mse:.4f}")
