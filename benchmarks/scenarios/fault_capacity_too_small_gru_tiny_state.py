"""Which of six frequencies is a noisy sine sequence? A GRU with hidden_size=2 (set that low while
debugging shapes and never raised) reads the sequence, and a linear layer maps its 2-value state to
the 6 classes. Adam trains normally, but the loss levels off well above 0."""

# fault: capacity-too-small
# shows: loss-plateau
import torch
from torch import nn

torch.manual_seed(0)
FREQS = torch.tensor([0.3, 0.45, 0.6, 0.75, 0.9, 1.05])


def make_data(n, length=24):
    label = torch.randint(0, 6, (n,))
    t = torch.arange(length).float()
    phase = 6.28 * torch.rand(n, 1)
    x = torch.sin(FREQS[label, None] * t + phase) + 0.3 * torch.randn(n, length)
    return x[:, :, None], label


X, y = make_data(1500)


class Classifier(nn.Module):
    def __init__(self, hidden_size=2):
        super().__init__()
        self.rnn = nn.GRU(1, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, 6)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.fc(h[-1])


model = Classifier()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(6):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 50):
        idx = perm[i : i + 50]
        optimizer.zero_grad()
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
    acc = (model(X).argmax(1) == y).float().mean().item()
    print(f"epoch {epoch}: loss {loss.item():.3f}  acc {acc:.3f}")
