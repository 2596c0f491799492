"""Digits CNN: two ReLU conv layers, global pooling over the 8x8 feature maps, then a tanh hidden layer
and the classifier; pixels standardised, SGD with momentum.

The bug: the global pooling is written `x.sum(dim=(2, 3))` where a mean was meant, so the 32 pooled
features are 64 times too large. The tanh layer after them gets pre-activations far beyond +-2.3, where
tanh is flat: about 70% of its outputs sit at +-1 from the first batch, and nearly all of them after a
few epochs. No gradient gets through to the conv layers, and the loss stays at ~2.5-2.6 (ln 10 = 2.30) with
~0.1 val accuracy. With `x.mean(dim=(2, 3))` the same script reaches a loss of ~0.3 and ~0.93 val
accuracy in 10 epochs."""
# fault: saturated-activations
# shows: vanishing-gradients loss-plateau

import torch
import torch.nn as nn
from sklearn.datasets import load_digits

torch.manual_seed(0)

X, y = load_digits(return_X_y=True)
X = torch.tensor((X - X.mean()) / X.std(), dtype=torch.float32).view(-1, 1, 8, 8)
y = torch.tensor(y)
order = torch.randperm(len(X))
X, y = X[order], y[order]
X_train, y_train, X_val, y_val = X[:1400], y[:1400], X[1400:], y[1400:]


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32, 64)
        self.act = nn.Tanh()
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = x.sum(dim=(2, 3))  # global pooling
        return self.out(self.act(self.fc(x)))


model = DigitNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()

for epoch in range(10):
    permutation = torch.randperm(len(X_train))
    total = 0.0
    for start in range(0, len(X_train), 32):
        index = permutation[start : start + 32]
        optimizer.zero_grad()
        loss = criterion(model(X_train[index]), y_train[index])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(index)
    with torch.no_grad():
        accuracy = (model(X_val).argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch + 1}: loss {total / len(X_train):.3f}, val acc {accuracy:.3f}")
