"""Screening model: a rare positive class (about 2% of the samples) against a large negative class,
trained with an unweighted CrossEntropyLoss. Accuracy looks great because the model predicts 0."""
# fault: class-imbalance
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X, y = make_classification(
    n_samples=3000, n_features=20, n_informative=4, weights=[0.98, 0.02], class_sep=0.6, random_state=0
)
X = StandardScaler().fit_transform(X)
dataset = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y))
loader = DataLoader(dataset, batch_size=64, shuffle=True)

model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(8):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        predicted = model(dataset.tensors[0]).argmax(1)
    recall = ((predicted == 1) & (dataset.tensors[1] == 1)).sum() / (dataset.tensors[1] == 1).sum()
    print(
        f"epoch {epoch}: loss {loss.item():.3f}, accuracy {(predicted == dataset.tensors[1]).float().mean():.3f}, minority recall {recall:.2f}"
    )
