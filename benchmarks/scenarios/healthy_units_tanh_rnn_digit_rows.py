"""Digits read as sequences: each 8x8 image is fed row by row (8 steps of 8 pixels, scaled to [0, 1])
to a plain tanh `nn.RNN` with 64 hidden units; the last hidden state goes to a linear classifier.
Adam 1e-3, default init. A short-sequence task a vanilla RNN handles well: the hidden states stay in
tanh's working range (under 1% beyond +-0.98), and val accuracy reaches 0.94 in 15 epochs."""
# fault: none
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import load_digits

torch.manual_seed(0)

X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 8, 8)
y = torch.tensor(y)
order = torch.randperm(len(X))
X, y = X[order], y[order]
X_train, y_train, X_val, y_val = X[:1400], y[:1400], X[1400:], y[1400:]


class RowReader(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(8, hidden, batch_first=True)
        self.classifier = nn.Linear(hidden, 10)

    def forward(self, images):
        _, last = self.rnn(images)
        return self.classifier(last[-1])


model = RowReader()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(15):
    permutation = torch.randperm(len(X_train))
    for start in range(0, len(X_train), 32):
        index = permutation[start : start + 32]
        optimizer.zero_grad()
        loss = criterion(model(X_train[index]), y_train[index])
        loss.backward()
        optimizer.step()
    if epoch % 3 == 2:
        with torch.no_grad():
            accuracy = (model(X_val).argmax(1) == y_val).float().mean().item()
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, val acc {accuracy:.3f}")
