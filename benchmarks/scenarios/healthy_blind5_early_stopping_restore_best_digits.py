"""Digit classification on a deliberately small training split (200 of the scikit-learn 8x8 digits,
pixels scaled to [0, 1]), validated on 600 held-out images. The model is a wide MLP
(64 -> 512 -> 512 -> 10) trained with Adam at 1e-3, large enough to memorise 200 images, so the
validation loss bottoms out after 15-20 epochs and then starts to creep up while the training
loss keeps falling towards 0.

That is expected and handled: early stopping with patience 6 watches the validation loss, keeps a
copy of the best state_dict, stops when there has been no improvement for 6 epochs and restores the
best weights with model.load_state_dict before the final evaluation. The reported model is the one
from the best epoch (about 93% validation accuracy)."""
# fault: none
# shows:

import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X_train, X_rest, y_train, y_rest = train_test_split(X, y, train_size=200, random_state=0, stratify=y)
X_val, _, y_val, _ = train_test_split(X_rest, y_rest, train_size=600, random_state=0, stratify=y_rest)

train_ds = TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train).long())
val_ds = TensorDataset(torch.from_numpy(X_val), torch.from_numpy(y_val).long())
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=200)


class WideMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        return self.net(x)


def evaluate(model, loader, criterion):
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            total += criterion(out, yb).item() * xb.size(0)
            correct += (out.argmax(1) == yb).sum().item()
            n += xb.size(0)
    return total / n, correct / n


model = WideMLP()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

patience, bad_epochs = 6, 0
best_loss, best_epoch, best_state = float("inf"), 0, None
for epoch in range(1, 101):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.size(0)
    train_loss = running / len(train_ds)
    val_loss, val_acc = evaluate(model, val_loader, criterion)
    print(f"epoch {epoch:3d}  train loss {train_loss:.4f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}")

    if val_loss < best_loss - 1e-4:
        best_loss, best_epoch, bad_epochs = val_loss, epoch, 0
        best_state = copy.deepcopy(model.state_dict())
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stopping at epoch {epoch}: no improvement since epoch {best_epoch}")
            break

model.load_state_dict(best_state)
val_loss, val_acc = evaluate(model, val_loader, criterion)
print(f"restored best weights from epoch {best_epoch}: val loss {val_loss:.4f}  val acc {val_acc:.3f}")
