"""Digits classifier (MLP, Adam, DataLoader). The author wanted the network to output probabilities
and ended it with nn.Softmax(dim=1), then trained it with nn.CrossEntropyLoss, which applies
log_softmax itself: the logits are squeezed into [0, 1] and the loss cannot get near 0."""
# fault: wrong-output-activation
# shows: loss-plateau

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0)
train_ds = TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr))
loader = DataLoader(train_ds, batch_size=64, shuffle=True)
X_te = torch.tensor(X_te, dtype=torch.float32)
y_te = torch.tensor(y_te)

model = nn.Sequential(
    nn.Linear(64, 128),
    nn.ReLU(),
    nn.Linear(128, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
    nn.Softmax(dim=1),  # "so the model outputs probabilities"
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(12):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch + 1}: loss {total / len(train_ds):.4f}  test acc {acc:.3f}")
