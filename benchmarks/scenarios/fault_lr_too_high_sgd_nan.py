"""ReLU MLP on the scikit-learn digits trained with plain SGD and nn.CrossEntropyLoss,
but the learning rate was set to 10 instead of 0.1 (a typo); the loss blows up to NaN."""
# fault: lr-too-high
# shows: loss-nonfinite loss-diverging

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-8)  # standardise pixels (some are always 0)
y = torch.tensor(digits.target, dtype=torch.long)
train_loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, 128),
            nn.ReLU(),
            nn.Linear(128, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )

    def forward(self, x):
        return self.net(x)


model = MLP()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=10.0)

for epoch in range(5):
    total_loss = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
    print(f"epoch {epoch + 1}: loss {total_loss / len(train_loader):.4f}")
