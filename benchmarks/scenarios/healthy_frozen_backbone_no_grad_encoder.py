"""Breast-cancer classifier on top of a frozen feature encoder: the encoder (batch-norm and dropout
inside) is kept in eval mode and run under torch.no_grad(); only the linear head is given to the
optimizer. The encoder's parameters still have requires_grad=True, but no gradient ever reaches them.
(Its weights would come from a checkpoint; a fixed random projection stands in for them here.)"""

# fault: none
# shows:
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(0)
data = load_breast_cancer()
X = torch.tensor(StandardScaler().fit_transform(data.data), dtype=torch.float32)
y = torch.tensor(data.target, dtype=torch.float32)
X_train, y_train, X_test, y_test = X[:450], y[:450], X[450:], y[450:]

encoder = nn.Sequential(nn.Linear(30, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.3))
with torch.no_grad():  # "load" the encoder: one pass to settle its batch-norm statistics
    encoder(X_train)
encoder.eval()

head = nn.Linear(128, 1)
optimizer = torch.optim.SGD(head.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.BCEWithLogitsLoss()
for epoch in range(15):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), 32):
        idx = perm[i : i + 32]
        with torch.no_grad():
            features = encoder(X_train[idx])
        optimizer.zero_grad()
        loss = loss_fn(head(features).squeeze(1), y_train[idx])
        loss.backward()
        optimizer.step()
    if epoch % 5 == 4:
        with torch.no_grad():
            acc = ((head(encoder(X_test)).squeeze(1) > 0).float() == y_test).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.3f}  test acc {acc:.3f}")
