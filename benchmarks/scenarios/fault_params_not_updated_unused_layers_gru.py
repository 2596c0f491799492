"""GRU sequence classifier (is the running sum of the sequence ever above a threshold?). The model
defines a LayerNorm and a hidden projection for the GRU output, but forward() goes from the last
hidden state straight to the classifier: those layers are created, handed to the optimizer, and never
used."""

# fault: params-not-updated
# shows:
import torch
from torch import nn

torch.manual_seed(0)


def make_data(n, length=12):
    x = torch.randn(n, length, 1)
    y = (x.cumsum(1).max(1).values.squeeze(1) > 2.5).long()
    return x, y


X_train, y_train = make_data(1024)
X_val, y_val = make_data(256)


class SeqClassifier(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.norm = nn.LayerNorm(hidden)
        self.proj = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 2)

    def forward(self, x):
        _, h = self.gru(x)
        return self.out(h[-1])


model = SeqClassifier()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(5):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), 64):
        idx = perm[i : i + 64]
        optimizer.zero_grad()
        loss = criterion(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch}: loss {loss.item():.3f}  val acc {acc:.3f}")
