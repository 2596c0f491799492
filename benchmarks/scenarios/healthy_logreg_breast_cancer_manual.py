"""Logistic regression on the scikit-learn breast-cancer data with standardised features,
written without a DataLoader: the training set is shuffled and sliced into mini-batches by hand."""
# fault: none
# shows:

import torch
from sklearn.datasets import load_breast_cancer

torch.manual_seed(0)

data = load_breast_cancer()
X = torch.tensor(data.data, dtype=torch.float32)
y = torch.tensor(data.target, dtype=torch.float32)

perm = torch.randperm(X.shape[0])
n_train = 450
X_train, y_train = X[perm[:n_train]], y[perm[:n_train]]
X_test, y_test = X[perm[n_train:]], y[perm[n_train:]]

mean, std = X_train.mean(0), X_train.std(0)
X_train = (X_train - mean) / std
X_test = (X_test - mean) / std

model = torch.nn.Linear(X.shape[1], 1)
loss_fn = torch.nn.BCEWithLogitsLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.05)
batch_size = 32

for epoch in range(40):
    order = torch.randperm(n_train)
    total, count = 0.0, 0
    for i in range(0, n_train, batch_size):
        idx = order[i : i + batch_size]
        logits = model(X_train[idx]).squeeze(1)
        loss = loss_fn(logits, y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
        count += len(idx)
    if epoch % 10 == 9:
        with torch.no_grad():
            test_acc = ((model(X_test).squeeze(1) > 0).float() == y_test).float().mean()
        print(f"epoch {epoch + 1}: train loss {total / count:.4f}, test accuracy {test_acc:.3f}")
