"""Five-class MLP classifier on synthetic data with SGD + momentum and a StepLR schedule
meant to decay the LR every 20 *epochs*, but scheduler.step() was put inside the batch loop,
so the LR is divided by 10 every 20 *batches* and training stalls after a few dozen steps."""
# fault: lr-too-low
# shows: loss-plateau

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

N_CLASSES, DIM = 5, 16
W_true = torch.randn(DIM, N_CLASSES)
X = torch.randn(1000, DIM)
y = (X @ W_true + 0.5 * torch.randn(1000, N_CLASSES)).argmax(1)

X_train, y_train, X_val, y_val = X[:640], y[:640], X[640:], y[640:]
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)

model = nn.Sequential(nn.Linear(DIM, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, N_CLASSES))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.1)  # decay every 20 epochs

for epoch in range(60):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item()
    model.eval()
    with torch.no_grad():
        acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    if (epoch + 1) % 6 == 0:
        print(
            f"epoch {epoch + 1:2d}  loss {total / len(train_loader):.4f}  val acc {acc:.3f}  lr {scheduler.get_last_lr()[0]:.2e}"
        )
