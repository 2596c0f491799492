"""Delayed-echo sequence model: a single-layer tanh nn.RNN reads 50 steps of white noise and has to
output, at every step, the input it saw 12 steps earlier (a simple memory task). Trained with SGD +
momentum and MSE over a DataLoader, without gradient clipping. The loss stays flat while the
network has no memory, then starts falling as the recurrent weights grow; once they do, the
gradients through the 50 time steps explode, the loss jumps by orders of magnitude and the run
ends in NaN."""
# fault: exploding-gradients
# shows: loss-nonfinite loss-diverging

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

SEQ_LEN, DELAY = 50, 12


def make_echo_data(n):
    x = torch.randn(n, SEQ_LEN, 1)
    y = torch.zeros_like(x)
    y[:, DELAY:] = x[:, :-DELAY]
    return x, y


X_train, y_train = make_echo_data(8000)
X_val, y_val = make_echo_data(500)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)


class EchoRNN(nn.Module):
    def __init__(self, hidden_size=64):
        super().__init__()
        self.rnn = nn.RNN(1, hidden_size, batch_first=True)  # tanh
        self.readout = nn.Linear(hidden_size, 1)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.readout(h)


model = EchoRNN()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for epoch in range(3):
    model.train()
    running = 0.0
    for step, (xb, yb) in enumerate(train_loader):
        optimizer.zero_grad()
        pred = model(xb)
        # the first DELAY outputs have nothing to echo yet
        loss = F.mse_loss(pred[:, DELAY:], yb[:, DELAY:])
        loss.backward()
        optimizer.step()
        running += loss.item()
        if (step + 1) % 50 == 0:
            print(f"epoch {epoch + 1} step {step + 1:3d}  train mse {running / 50:.4g}")
            running = 0.0
    model.eval()
    with torch.no_grad():
        val_mse = F.mse_loss(model(X_val)[:, DELAY:], y_val[:, DELAY:]).item()
    print(f"epoch {epoch + 1}  val mse {val_mse:.4g}")
