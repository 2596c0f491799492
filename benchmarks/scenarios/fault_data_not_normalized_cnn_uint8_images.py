"""A CNN on generated 3x24x24 "blob" images stored as 8-bit values (0-255) and fed to the network as
floats without dividing by 255. Adam, two conv layers, global average pooling."""
# fault: data-not-normalized
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2)
gen = torch.Generator().manual_seed(2)

n = 1024
labels = torch.randint(0, 4, (n,), generator=gen)
yy, xx = torch.meshgrid(torch.arange(24.0), torch.arange(24.0), indexing="ij")
cx = torch.tensor([6.0, 18.0, 6.0, 18.0])[labels]
cy = torch.tensor([6.0, 6.0, 18.0, 18.0])[labels]
blob = torch.exp(-((xx - cx[:, None, None]) ** 2 + (yy - cy[:, None, None]) ** 2) / 20.0)
images = (blob[:, None] * 200 + 40 * torch.rand(n, 3, 24, 24, generator=gen)).clamp(0, 255).to(torch.uint8)

loader = DataLoader(TensorDataset(images, labels), batch_size=32, shuffle=True)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 12, 3, padding=1)
        self.c2 = nn.Conv2d(12, 24, 3, padding=1)
        self.fc = nn.Linear(24, 4)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.relu(self.c2(F.max_pool2d(x, 2)))
        return self.fc(x.mean(dim=(2, 3)))


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(3):
    for xb, yb in loader:
        out = net(xb.float())  # forgot / 255
        loss = F.cross_entropy(out, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
