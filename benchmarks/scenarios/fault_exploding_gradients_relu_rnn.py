"""Vanilla ReLU RNN (nn.RNN, orthogonal recurrent init, no gradient clipping) classifying
whether a long noisy sequence drifts up or down, trained with SGD + momentum at a normal LR.
Gradients through the 60 time steps occasionally explode by orders of magnitude; every spike
kicks the loss up, and a big one finally turns everything into NaN."""
# fault: exploding-gradients
# shows: loss-nonfinite

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)

SEQ_LEN, N_TRAIN, N_VAL = 60, 3200, 512


def make_sequences(n):
    labels = torch.randint(0, 2, (n,))
    drift = (2.0 * labels.float() - 1.0) * 0.3  # +0.3 or -0.3 per step
    x = torch.randn(n, SEQ_LEN, 1) + drift.view(n, 1, 1)
    return x, labels


class DriftRNN(nn.Module):
    def __init__(self, hidden_size=32):
        super().__init__()
        self.rnn = nn.RNN(1, hidden_size, nonlinearity="relu", batch_first=True)
        self.fc = nn.Linear(hidden_size, 2)
        nn.init.orthogonal_(self.rnn.weight_hh_l0)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


X_train, y_train = make_sequences(N_TRAIN)
X_val, y_val = make_sequences(N_VAL)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)

model = DriftRNN()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

for epoch in range(3):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item()
    model.eval()
    with torch.no_grad():
        val_acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch + 1}: train loss {total / len(loader):.4f}  val acc {val_acc:.3f}")
