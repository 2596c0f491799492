"""Breast-cancer diagnosis (scikit-learn's Wisconsin data, 30 features standardised with the
training-split statistics) with an MLP 30 -> 64 -> 32 -> 2 and cross-entropy, trained with plain
SGD (no momentum), batch 32, for 30 epochs, printing training loss and validation loss/accuracy.

Bug: the learning rate was set to 4.0, copied from a logistic-regression notebook that used
full-batch gradient descent on a loss averaged differently. For this network it is far too high:
within the first epoch a few updates throw the weights far out and single-batch losses reach the
millions (epoch-1 mean ~5.5e5); after that blow-up the ReLU layers are knocked out and the network
is left predicting one class for everything, flipping between "all benign" and "all malignant":
the training loss bounces around 0.7-0.9 (chance level) for the rest of training and validation
accuracy jumps between 0.36 and 0.63 (the two class shares) from epoch to epoch. With lr=0.05 the
same script reaches ~96% validation accuracy with a validation loss ~0.11."""
# fault: lr-too-high
# shows: loss-spike

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = load_breast_cancer(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

train_ds = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train))
val_X, val_y = torch.tensor(X_val, dtype=torch.float32), torch.tensor(y_val)
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)

LR = 4.0


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, x):
        return self.net(x)


model = Classifier()
optimizer = torch.optim.SGD(model.parameters(), lr=LR)
criterion = nn.CrossEntropyLoss()

for epoch in range(1, 31):
    model.train()
    losses = []
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        out = model(val_X)
        val_loss = criterion(out, val_y).item()
        val_acc = (out.argmax(1) == val_y).float().mean().item()
    print(
        f"epoch {epoch:2d}  train loss {np.mean(losses):.4f} (batch min {min(losses):.3f} max {max(losses):.3f})"
        f"  val loss {val_loss:.4f}  val acc {val_acc:.3f}"
    )
