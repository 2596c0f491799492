"""Customer-churn style tabular classifier (make_classification, 30 features, 3 classes), MLP with
dropout, SGD with Nesterov momentum, batches of 48 from a shuffled DataLoader, validation after every
epoch through a small `validate()` helper.

Bug: optimizer.zero_grad() was moved out of the batch loop into `validate()` ("start the evaluation
with clean gradients") during a refactor, and the training loop no longer calls it. The gradients
therefore add up over the ~50 batches of each epoch and are cleared only once per epoch, so every
step is taken with the sum of all the gradients since the last validation: the effective step grows
through each epoch. The loss rises within each epoch and from epoch to epoch (about 1.0 to 40), and
validation accuracy stays at chance (0.33); with zero_grad() back before backward() the same script
reaches 0.91."""
# fault: grad-not-zeroed
# shows:

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = make_classification(
    n_samples=3000,
    n_features=30,
    n_informative=12,
    n_redundant=6,
    n_classes=3,
    class_sep=1.0,
    random_state=7,
)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_train)
train_set = TensorDataset(torch.tensor(scaler.transform(X_train), dtype=torch.float32), torch.tensor(y_train))
val_set = TensorDataset(torch.tensor(scaler.transform(X_val), dtype=torch.float32), torch.tensor(y_val))
train_loader = DataLoader(train_set, batch_size=48, shuffle=True)
val_loader = DataLoader(val_set, batch_size=256)

model = nn.Sequential(
    nn.Linear(30, 128),
    nn.ReLU(),
    nn.Dropout(0.2),
    nn.Linear(128, 64),
    nn.ReLU(),
    nn.Dropout(0.2),
    nn.Linear(64, 3),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True)


def validate():
    optimizer.zero_grad()
    model.eval()
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = model(xb)
            total_loss += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
    model.train()
    return total_loss / len(val_set), correct / len(val_set)


for epoch in range(1, 11):
    model.train()
    running = []
    for xb, yb in train_loader:
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        running.append(loss.item())
    val_loss, val_acc = validate()
    first, last = np.mean(running[:10]), np.mean(running[-10:])
    print(
        f"epoch {epoch:2d}: train loss first 10 batches {first:.3f}, last 10 {last:.3f}  "
        f"val loss {val_loss:.3f}  val acc {val_acc:.3f}"
    )
