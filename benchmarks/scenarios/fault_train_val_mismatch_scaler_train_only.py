"""Wine classifier. The StandardScaler is fitted and applied to the training features; the
validation features are passed in raw, so validation sees values in the hundreds where training saw
numbers around 0."""
# fault: train-val-mismatch
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)

wine = load_wine()
X_train, X_val, y_train, y_val = train_test_split(wine.data, wine.target, test_size=0.3, random_state=1)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_train, X_val = torch.tensor(X_train, dtype=torch.float32), torch.tensor(X_val, dtype=torch.float32)
y_train, y_val = torch.tensor(y_train), torch.tensor(y_val)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(13, 32)
        self.out = nn.Linear(32, 3)

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))


model = Net()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)

for epoch in range(40):
    model.train()
    permutation = torch.randperm(len(X_train))
    for start in range(0, len(X_train), 16):
        index = permutation[start : start + 16]
        loss = F.cross_entropy(model(X_train[index]), y_train[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = F.cross_entropy(model(X_val), y_val).item()
    print(f"epoch {epoch:2d}  train loss {loss.item():.3f}  val loss {val_loss:.3f}")
