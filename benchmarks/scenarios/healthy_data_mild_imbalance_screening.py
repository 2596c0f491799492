"""A screening classifier on a mildly imbalanced table (about 80% negatives, 20% positives), standardised
features, unweighted BCEWithLogitsLoss; trains to a good ROC without any reweighting."""
# fault: none
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X, y = make_classification(n_samples=2000, n_features=12, n_informative=6, weights=[0.8, 0.2], random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_train)
X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
X_test = torch.tensor(scaler.transform(X_test), dtype=torch.float32)
y_train, y_test = torch.tensor(y_train, dtype=torch.float32), torch.tensor(y_test, dtype=torch.float32)

loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.BCEWithLogitsLoss()

for epoch in range(12):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = (model(X_test).squeeze(1) > 0).float()
    recall = ((predicted == 1) & (y_test == 1)).sum() / (y_test == 1).sum()
    print(
        f"epoch {epoch:2d}  loss {loss.item():.3f}  test acc {(predicted == y_test).float().mean():.3f}  recall {recall:.2f}"
    )
