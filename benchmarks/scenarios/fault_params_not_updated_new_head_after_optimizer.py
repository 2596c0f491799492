"""Adapting a small CNN built for another task (100 classes) to digits: the setup code creates the
optimizer first and then swaps the classifier for a 10-class one. The optimizer still holds the old
classifier's weights and never sees the new one, which keeps its random initial weights."""

# fault: params-not-updated
# shows:
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0
y = torch.tensor(digits.target)
X_train, y_train, X_test, y_test = X[:1500], y[:1500], X[1500:], y[1500:]


class SmallCNN(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.fc = nn.Linear(32 * 4 * 4, classes)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


def setup(classes):
    model = SmallCNN(classes=100)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.fc = nn.Linear(32 * 4 * 4, classes)  # adapt the classifier to this task
    return model, optimizer


model, optimizer = setup(classes=10)
for epoch in range(4):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), 64):
        idx = perm[i : i + 64]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        acc = (model(X_test).argmax(1) == y_test).float().mean().item()
    print(f"epoch {epoch}: loss {loss.item():.3f}  test acc {acc:.3f}")
