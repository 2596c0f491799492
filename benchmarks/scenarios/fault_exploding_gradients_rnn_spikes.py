"""Sequence classifier built on a single-layer ReLU nn.RNN (recurrent weights initialised as
the identity, "IRNN" style) that decides whether a 60-step noisy signal drifts up or down;
fresh batches are generated every step and trained with SGD + momentum, without clipping.
The gradient norm repeatedly spikes by orders of magnitude and each spike throws the loss up."""
# fault: exploding-gradients
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1)

T, HIDDEN = 60, 32


def sample_batch(batch_size):
    y = torch.randint(0, 2, (batch_size,))
    slope = torch.where(y == 1, 0.3, -0.3)
    x = torch.randn(batch_size, T, 1) + slope[:, None, None]
    return x, y


rnn = nn.RNN(input_size=1, hidden_size=HIDDEN, nonlinearity="relu", batch_first=True)
with torch.no_grad():
    rnn.weight_hh_l0.copy_(torch.eye(HIDDEN))
    rnn.bias_hh_l0.zero_()
head = nn.Linear(HIDDEN, 2)
params = list(rnn.parameters()) + list(head.parameters())
optimizer = torch.optim.SGD(params, lr=1e-3, momentum=0.9)

x_val, y_val = sample_batch(512)
for step in range(1, 301):
    x, y = sample_batch(32)
    out, _ = rnn(x)
    loss = F.cross_entropy(head(out[:, -1]), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        with torch.no_grad():
            val_out, _ = rnn(x_val)
            acc = (head(val_out[:, -1]).argmax(1) == y_val).float().mean().item()
        print(f"step {step}: loss {loss.item():.4f}, val acc {acc:.3f}")
