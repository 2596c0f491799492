"""A digits CNN whose author wanted sparse feature maps ("only strong evidence should switch a unit
on") and so initialised every hidden convolution and linear bias to -3 in a custom init loop, with He
weights. On inputs in [0, 1] the pre-activations are almost all below zero: most ReLU units never fire,
the dead ones get no gradient and cannot come back, and the network learns next to nothing. The cause
is the user's initialisation, so the root cause is bad-init; the symptom it shows is dead ReLUs."""
# fault: bad-init
# shows: dead-relu

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
labels = torch.tensor(digits.target, dtype=torch.long)
perm = torch.randperm(len(images))
images, labels = images[perm], labels[perm]
train_loader = DataLoader(TensorDataset(images[:1400], labels[:1400]), batch_size=32, shuffle=True)
val_images, val_labels = images[1400:], labels[1400:]

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 4 * 4, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
)

SPARSE_BIAS = -3.0
for module in model.modules():
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.constant_(module.bias, SPARSE_BIAS)
nn.init.zeros_(model[-1].bias)  # the output layer gets a neutral bias

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(8):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(val_images)
        val_loss = criterion(logits, val_labels).item()
        val_acc = (logits.argmax(1) == val_labels).float().mean().item()
    print(f"epoch {epoch + 1}: train loss {loss.item():.3f}  val loss {val_loss:.3f}  val acc {val_acc:.3f}")
