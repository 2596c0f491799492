"""Churn-style sequence model written from scratch: each customer is 10 weeks of shopping baskets (20
products per basket out of a catalogue of 100), and the label says whether they bought more organic
products (ids 0-9) in the last five weeks than in the first five. A basket is encoded with
`nn.EmbeddingBag(mode="sum")` ("the basket is the sum of its products"), and a hand-written Elman cell
`h = tanh(W_x x + W_h h)` runs over the weeks; the last state goes to a linear head. Adam 1e-3.

Written blind (after the saturated-activations rule, without reading its thresholds). The bug: a sum of
20 unit-scale product vectors reaches the cell at about 4.5 times the scale of a single one, so the tanh
cell is pushed towards +-1 from the start, and the trend over the weeks cannot be learnt through it.

Measured after the first run: the loss falls from 0.57 to 0.32 and val accuracy stays near 0.77, where
`mode="mean"` reaches a loss of 0.12 and 0.94; about 45% of the cell's outputs sit beyond +-0.98."""
# fault: saturated-activations
# shows:

import torch
import torch.nn as nn

torch.manual_seed(0)

PRODUCTS, WEEKS, BASKET = 100, 10, 20
customers = 3000
organic_rate = 0.05 + 0.25 * torch.rand(customers, 1)
trend = 0.15 * torch.randn(customers, 1)
weekly_rate = (organic_rate + trend * torch.linspace(-1, 1, WEEKS)).clamp(0.0, 1.0)
is_organic = torch.rand(customers, WEEKS, BASKET) < weekly_rate.unsqueeze(-1)
baskets = torch.where(
    is_organic,
    torch.randint(0, 10, (customers, WEEKS, BASKET)),
    torch.randint(10, PRODUCTS, (customers, WEEKS, BASKET)),
)
organic_counts = (baskets < 10).sum(-1)
labels = (organic_counts[:, 5:].sum(1) > organic_counts[:, :5].sum(1)).long()
train_x, train_y, val_x, val_y = baskets[:2500], labels[:2500], baskets[2500:], labels[2500:]


class BasketRNN(nn.Module):
    def __init__(self, dim=32, hidden=64):
        super().__init__()
        self.hidden = hidden
        self.basket = nn.EmbeddingBag(PRODUCTS, dim, mode="sum")
        self.W_x = nn.Linear(dim, hidden)
        self.W_h = nn.Linear(hidden, hidden, bias=False)
        self.head = nn.Linear(hidden, 2)

    def forward(self, weeks):
        batch = weeks.shape[0]
        h = torch.zeros(batch, self.hidden)
        for week in range(weeks.shape[1]):
            x = self.basket(weeks[:, week])
            h = torch.tanh(self.W_x(x) + self.W_h(h))
        return self.head(h)


model = BasketRNN()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(6):
    permutation = torch.randperm(len(train_x))
    total = 0.0
    for start in range(0, len(train_x), 32):
        index = permutation[start : start + 32]
        optimizer.zero_grad()
        loss = criterion(model(train_x[index]), train_y[index])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(index)
    with torch.no_grad():
        accuracy = (model(val_x).argmax(1) == val_y).float().mean().item()
    print(f"epoch {epoch + 1}: loss {total / len(train_x):.3f}, val acc {accuracy:.3f}")
