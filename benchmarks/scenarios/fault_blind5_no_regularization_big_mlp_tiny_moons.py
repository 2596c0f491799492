"""Two-moons classification with heavy label-independent noise (make_moons, noise=0.35) where only
80 labelled points are available for training and 1000 for validation. The classifier is a big
MLP (2 -> 256 -> 256 -> 256 -> 2, ~133k parameters) trained with Adam at 1e-3, batch 16, for 250
epochs, with no dropout, no weight decay and no early stopping.

Bug: the model has vastly more capacity than 80 noisy points can constrain and it is trained far
past the point where it generalises. The training cross-entropy falls to ~0.03 (nearly every point, including
the ones sitting on the wrong side of the moons, is memorised with carved-out pockets), while the
validation cross-entropy bottoms out around 0.33 at epoch ~10 and then climbs
steadily to ~1.9, and validation accuracy drops by a few points from its peak."""
# fault: no-regularization
# shows: overfitting

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X_train, y_train = make_moons(n_samples=80, noise=0.35, random_state=0)
X_val, y_val = make_moons(n_samples=1000, noise=0.35, random_state=1)
mu, sd = X_train.mean(0), X_train.std(0)
X_train, X_val = (X_train - mu) / sd, (X_val - mu) / sd

train_ds = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train))
val_X, val_y = torch.tensor(X_val, dtype=torch.float32), torch.tensor(y_val)
train_loader = DataLoader(train_ds, batch_size=16, shuffle=True)


class BigMLP(nn.Module):
    def __init__(self, width=256):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(2, width),
            nn.ReLU(),
            nn.Linear(width, width),
            nn.ReLU(),
            nn.Linear(width, width),
            nn.ReLU(),
            nn.Linear(width, 2),
        )

    def forward(self, x):
        return self.layers(x)


model = BigMLP()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

best = (float("inf"), 0)
for epoch in range(1, 251):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.size(0)
    model.eval()
    with torch.no_grad():
        out = model(val_X)
        val_loss = criterion(out, val_y).item()
        val_acc = (out.argmax(1) == val_y).float().mean().item()
    best = min(best, (val_loss, epoch))
    if epoch <= 5 or epoch % 10 == 0:
        print(
            f"epoch {epoch:3d}  train loss {running / len(train_ds):.4f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}"
        )
print(f"best val loss {best[0]:.4f} at epoch {best[1]}; final val loss {val_loss:.4f}")
