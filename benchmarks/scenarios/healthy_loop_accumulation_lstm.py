"""LSTM sentiment-style classifier (is the sum of token scores positive?) trained with AdamW and
gradient accumulation over 3 micro-batches: the loss is divided by 3, and the gradients are reset with
optimizer.zero_grad(set_to_none=True) right after each optimizer step."""

# fault: none
# shows:
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
VOCAB = 20
scores = torch.linspace(-1, 1, VOCAB)


def make_data(n, length=15):
    x = torch.randint(0, VOCAB, (n, length))
    return x, (scores[x].sum(1) > 0).long()


X, y = make_data(1800)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 16)
        self.lstm = nn.LSTM(16, 32, batch_first=True)
        self.out = nn.Linear(32, 2)

    def forward(self, x):
        h, _ = self.lstm(self.emb(x))
        return self.out(h[:, -1])


model = Net()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
accumulate = 3
for epoch in range(4):
    perm = torch.randperm(len(X))
    for i, start in enumerate(range(0, len(X), 20)):
        idx = perm[start : start + 20]
        loss = F.cross_entropy(model(X[idx]), y[idx]) / accumulate
        loss.backward()
        if (i + 1) % accumulate == 0:
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
    acc = (model(X).argmax(1) == y).float().mean().item()
    print(f"epoch {epoch}: loss {loss.item() * accumulate:.3f}  acc {acc:.3f}")
