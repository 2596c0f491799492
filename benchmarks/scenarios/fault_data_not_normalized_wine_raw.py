"""Wine cultivar classifier: a two-layer MLP trained with SGD on the raw chemical measurements
(proline in the hundreds to over a thousand, hue around 1, ...). Nobody scaled the features."""
# fault: data-not-normalized
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

wine = load_wine()
X_train, X_test, y_train, y_test = train_test_split(
    wine.data.astype(np.float32), wine.target, test_size=0.25, random_state=0, stratify=wine.target
)
train_loader = DataLoader(
    TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train)), batch_size=16, shuffle=True
)
model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
criterion = nn.CrossEntropyLoss()

for epoch in range(25):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(X_test)).argmax(1).numpy() == y_test).mean()
    print(f"epoch {epoch:2d}  loss {loss.item():.3f}  test accuracy {accuracy:.3f}")
