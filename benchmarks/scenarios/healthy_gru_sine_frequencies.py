"""The same GRU sine-wave classifier with a sensible AdamW learning rate."""

# fault: none
# shows:
import math

import torch
from torch import nn

torch.manual_seed(3)
n, length = 1200, 40
freq = torch.randint(0, 3, (n,))
t = torch.arange(length).float()
x = torch.sin((freq[:, None].float() + 1) * 0.3 * t[None, :] + torch.rand(n, 1) * 6.28) + 0.1 * torch.randn(
    n, length
)
x = x.unsqueeze(-1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(1, 32, batch_first=True)
        self.out = nn.Linear(32, 3)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


model = Net()
opt = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=1e-2)
lossf = nn.CrossEntropyLoss()
for epoch in range(8):
    perm = torch.randperm(n)
    total = 0.0
    for i in range(0, n, 32):
        idx = perm[i : i + 32]
        loss = lossf(model(x[idx]), freq[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    print(f"epoch {epoch} loss {total / math.ceil(n / 32):.3f}")
