"""Wine cultivar classifier that does its feature scaling inside the network: the 13 raw chemical
measurements (magnesium ~100, proline up to ~1,700, hue ~1) go unscaled into a BatchNorm1d that is
the model's first layer, followed by a 13-48-24-3 ReLU MLP with dropout. The train/validation split
is stratified (75/25). Each epoch calls model.train() before its batches, and a validate() helper
switches to model.eval() under torch.no_grad() so the batch-norm layers use their running statistics
for the validation pass; the next epoch switches back with model.train(). RMSprop at 3e-3, batches of
16, 40 epochs."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = load_wine(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
train_ds = TensorDataset(torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr))
val_ds = TensorDataset(torch.tensor(Xva, dtype=torch.float32), torch.tensor(yva))
train_loader = DataLoader(train_ds, batch_size=16, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=64)
print(f"raw feature ranges: min {Xtr.min(0).min():.2f}, max {Xtr.max(0).max():.0f}")

model = nn.Sequential(
    nn.BatchNorm1d(13),  # scales the raw measurements
    nn.Linear(13, 48),
    nn.BatchNorm1d(48),
    nn.ReLU(),
    nn.Dropout(0.2),
    nn.Linear(48, 24),
    nn.ReLU(),
    nn.Linear(24, 3),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.RMSprop(model.parameters(), lr=3e-3)


def validate(net, loader):
    net.eval()
    loss_sum, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = net(xb)
            loss_sum += criterion(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            count += len(yb)
    return loss_sum / count, correct / count


for epoch in range(1, 41):
    model.train()
    epoch_loss, seen = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * len(yb)
        seen += len(yb)
    val_loss, val_acc = validate(model, val_loader)
    if epoch % 5 == 0:
        print(
            f"epoch {epoch:2d}  train loss {epoch_loss / seen:.4f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}"
        )
