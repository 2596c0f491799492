"""Three-class classification of synthetic 2-D Gaussian blobs with a tiny MLP trained by plain
SGD on mini-batches of 4: the per-step loss is very noisy, but the trend is healthy and the
model reaches high accuracy."""
# fault: none
# shows:

import torch
import torch.nn as nn

torch.manual_seed(11)

means = torch.tensor([[0.0, 2.0], [-1.8, -1.0], [1.8, -1.0]])
y = torch.randint(0, 3, (1200,))
X = means[y] + 0.8 * torch.randn(1200, 2)
X_train, y_train, X_test, y_test = X[:1000], y[:1000], X[1000:], y[1000:]

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.02)

BATCH = 4
for epoch in range(4):
    order = torch.randperm(len(X_train))
    running = []
    for i in range(0, len(X_train), BATCH):
        idx = order[i : i + BATCH]
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
        running.append(loss.item())
    with torch.no_grad():
        acc = (model(X_test).argmax(1) == y_test).float().mean().item()
    print(f"epoch {epoch + 1}: mean loss {sum(running) / len(running):.4f}  test acc {acc:.3f}")
