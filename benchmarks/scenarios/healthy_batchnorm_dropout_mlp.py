"""Binary classification on synthetic tabular data with an MLP using BatchNorm1d and
Dropout, trained with Adam; a validation pass runs in eval mode after every epoch."""
# fault: none
# shows:

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)

# 20 features, only some informative, with a nonlinear decision rule
n, d = 3000, 20
X = torch.randn(n, d)
logits = 1.5 * X[:, 0] * X[:, 1] + X[:, 2] - 0.8 * X[:, 3] ** 2 + 0.5 * X[:, 4]
y = (logits + 0.3 * torch.randn(n) > 0).float()

X_train, y_train = X[:2400], y[:2400]
X_val, y_val = X[2400:], y[2400:]
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)


class Net(nn.Module):
    def __init__(self, d_in, hidden=64, p_drop=0.2):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(d_in, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(p_drop),
            nn.Linear(hidden, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(p_drop),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.layers(x).squeeze(-1)


model = Net(d)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)

for epoch in range(15):
    model.train()
    train_loss = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        train_loss += loss.item() * len(xb)

    model.eval()
    with torch.no_grad():
        val_logits = model(X_val)
        val_loss = criterion(val_logits, y_val).item()
        val_acc = ((val_logits > 0).float() == y_val).float().mean().item()
    model.train()
    print(
        f"epoch {epoch + 1:2d} | train {train_loss / len(X_train):.4f} | val {val_loss:.4f} | acc {val_acc:.3f}"
    )
