"""Generated 1x12x12 images (bright squares vs crosses) where training images are divided by 255 in
the Dataset, but the validation images are built separately and keep their 0-255 values. A small CNN,
Adam, validation loss per epoch."""
# fault: train-val-mismatch
# shows:

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(10)


def shapes(n, seed):
    gen = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 2, (n,), generator=gen)
    img = torch.zeros(n, 1, 12, 12)
    img[labels == 0, :, 3:9, 3:9] = 1.0
    img[labels == 1, :, 5:7, :] = 1.0
    img[labels == 1, :, :, 5:7] = 1.0
    img = img * 180 + 60 * torch.rand(n, 1, 12, 12, generator=gen)
    return img, labels


class Scaled(Dataset):
    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.images[i] / 255.0, self.labels[i]


train = Scaled(*shapes(800, 0))
val_images, val_labels = shapes(200, 1)  # not wrapped in Scaled

model = nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.AdaptiveMaxPool2d(2), nn.Flatten(), nn.Linear(24, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(5):
    model.train()
    for xb, yb in DataLoader(train, batch_size=32, shuffle=True):
        loss = nn.functional.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = nn.functional.cross_entropy(model(val_images), val_labels)
    print(epoch, loss.item(), val_loss.item())
