"""LSTM over token ids deciding which of four token groups is most frequent in a sequence; the model
returns F.log_softmax(logits, dim=-1) and is trained with F.nll_loss, SGD with momentum and gradient
clipping; reaches about 0.9 validation accuracy."""
# fault: none
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

VOCAB, GROUPS, SEQ_LEN = 16, 4, 12


def make_data(n):
    tokens = torch.randint(0, VOCAB, (n, SEQ_LEN))
    counts = F.one_hot(tokens % GROUPS, GROUPS).sum(dim=1)
    return tokens, counts.argmax(dim=1)


class GroupCounter(nn.Module):
    def __init__(self, dim=24, hidden=48):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, dim)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True)
        self.out = nn.Linear(hidden, GROUPS)

    def forward(self, tokens):
        _, (h, _) = self.lstm(self.embed(tokens))
        return F.log_softmax(self.out(h[-1]), dim=-1)


train_x, train_y = make_data(1024)
val_x, val_y = make_data(512)
model = GroupCounter()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for epoch in range(10):
    model.train()
    perm = torch.randperm(len(train_x))
    for start in range(0, len(train_x), 64):
        idx = perm[start : start + 64]
        optimizer.zero_grad()
        loss = F.nll_loss(model(train_x[idx]), train_y[idx])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = (model(val_x).argmax(1) == val_y).float().mean().item()
    print(f"epoch {epoch + 1}: loss {loss.item():.4f}  val acc {acc:.3f}")
