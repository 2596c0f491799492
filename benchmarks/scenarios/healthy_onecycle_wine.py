"""Wine-cultivar classification (scikit-learn load_wine, standardised features) with an MLP,
SGD + Nesterov momentum and a per-batch OneCycleLR schedule (warm-up, then annealing)."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = load_wine(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)

train_ds = TensorDataset(torch.FloatTensor(X_train), torch.LongTensor(y_train))
test_X, test_y = torch.FloatTensor(X_test), torch.LongTensor(y_test)
train_loader = DataLoader(train_ds, batch_size=16, shuffle=True)

model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
EPOCHS = 40
scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=0.1, epochs=EPOCHS, steps_per_epoch=len(train_loader)
)

for epoch in range(EPOCHS):
    model.train()
    batch_losses = []
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        batch_losses.append(loss.item())
    if (epoch + 1) % 5 == 0:
        model.eval()
        with torch.no_grad():
            test_acc = (model(test_X).argmax(1) == test_y).float().mean().item()
        print(f"epoch {epoch + 1:2d}  loss {np.mean(batch_losses):.4f}  test acc {test_acc:.3f}")
