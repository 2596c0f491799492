"""Digits CNN whose DataLoader was given batch_size=len(train_set), with shuffle=True: every epoch is
one SGD step on all 1500 images in a new order. Thirty epochs make thirty updates, and the loss is
still falling fast when the run ends."""

# fault: batch-too-large
# shows:
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0
y = torch.tensor(digits.target)
train_set = TensorDataset(X[:1500], y[:1500])
loader = DataLoader(train_set, batch_size=len(train_set), shuffle=True)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1),
    nn.ReLU(),
    nn.Flatten(),
    nn.Linear(32 * 16, 10),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(30):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    if epoch % 10 == 9:
        with torch.no_grad():
            acc = (model(X[1500:]).argmax(1) == y[1500:]).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.3f}  test acc {acc:.3f}")
