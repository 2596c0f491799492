"""Small RGB images (16x16, values in [0, 1]) of horizontal vs vertical vs diagonal stripes with noise,
classified by a CNN with BatchNorm; train and validation sets drawn from the same generator."""
# fault: none
# shows:

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


def stripes(n, gen):
    labels = torch.randint(0, 3, (n,), generator=gen)
    i, j = torch.meshgrid(torch.arange(16), torch.arange(16), indexing="ij")
    patterns = torch.stack([(i // 2) % 2, (j // 2) % 2, ((i + j) // 2) % 2]).float()  # (3, 16, 16)
    images = patterns[labels].unsqueeze(1).repeat(1, 3, 1, 1)
    images = images * torch.rand(n, 3, 1, 1, generator=gen)  # a colour per image
    images = (images + 0.3 * torch.rand(n, 3, 16, 16, generator=gen)).clamp(0, 1)
    return images, labels


gen = torch.Generator().manual_seed(0)
train_set = TensorDataset(*stripes(1536, gen))
val_set = TensorDataset(*stripes(384, gen))
train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
val_loader = DataLoader(val_set, batch_size=128)

model = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1),
    nn.BatchNorm2d(8),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1),
    nn.BatchNorm2d(16),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
    nn.Linear(16, 3),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()

for epoch in range(4):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch}: loss {loss.item():.3f}, val acc {correct / len(val_set):.3f}")
