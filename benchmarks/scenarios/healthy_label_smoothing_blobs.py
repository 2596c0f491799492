"""Five-class Gaussian-blob classification with an MLP trained by SGD with momentum and
CrossEntropyLoss(label_smoothing=0.1); the loss levels off at the smoothing floor, not at zero."""
# fault: none
# shows:

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)

n_classes, n_per_class, dim = 5, 400, 10
centers = 1.0 * torch.randn(n_classes, dim)
X = torch.cat([centers[c] + torch.randn(n_per_class, dim) for c in range(n_classes)])
y = torch.arange(n_classes).repeat_interleave(n_per_class)

dataset = TensorDataset(X, y)
train_set, val_set = torch.utils.data.random_split(
    dataset, [1600, 400], generator=torch.Generator().manual_seed(0)
)
train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
val_loader = DataLoader(val_set, batch_size=400)

model = nn.Sequential(nn.Linear(dim, 32), nn.Tanh(), nn.Linear(32, n_classes))
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.005, momentum=0.9)

for epoch in range(15):
    model.train()
    epoch_loss = 0.0
    for inputs, targets in train_loader:
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
    if (epoch + 1) % 3 == 0:
        model.eval()
        with torch.no_grad():
            inputs, targets = next(iter(val_loader))
            val_acc = (model(inputs).argmax(-1) == targets).float().mean()
        print(f"Epoch [{epoch + 1}/15] Loss: {epoch_loss / len(train_loader):.4f} Val Acc: {val_acc:.4f}")
