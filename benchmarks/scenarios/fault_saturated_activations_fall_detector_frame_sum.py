"""Fall detector for a wrist-worn accelerometer: 10-second windows sampled at 100 Hz (3 axes, in g),
four classes: the wearer stays upright, lies down slowly, stands up slowly, or falls (the device tips
over within a fraction of a second, with an impact spike). The model pools each half second of raw
samples (50 of them) into one frame and reads the 20 frames with a tanh `nn.RNN` (64 units); the last
hidden state goes to a linear head. Adam 1e-3, batch 64, 15 epochs.

Written blind (without reading the saturated-activations rule). The bug: the frames are pooled with
`.sum(dim=2)` where the frame average was meant, so the RNN gets gravity at 50 times its scale (inputs of
about +-50 instead of +-1). About 63% of the hidden outputs sit beyond +-0.98 at the first batch and 77%
at the end; the saturated tanh only passes the sign of each unit, so the model learns where the device
ends up (upright or lying) but not how it got there. Measured: the loss goes from 0.94 to 0.71 and stays
there, val acc ~0.5: it cannot tell a fall from lying down, nor standing up from staying upright. With
`.mean(dim=2)` the same script reaches a loss of 0.09 and 0.97 val acc (0.99 at epoch 14)."""
# fault: saturated-activations
# shows: loss-plateau

import torch
import torch.nn as nn

torch.manual_seed(0)

RATE, SECONDS, FRAME = 100, 10, 50
UPRIGHT, LIE_DOWN, STAND_UP, FALL = range(4)


def orientation(angle):
    # gravity seen by the device when it is tilted by `angle` (0 = upright, pi/2 = lying)
    return torch.stack([torch.sin(angle), 0.1 * torch.ones_like(angle), torch.cos(angle)], dim=-1)


def make_windows(n):
    labels = torch.randint(0, 4, (n,))
    t = torch.arange(RATE * SECONDS) / RATE
    start = 1.0 + 4.0 * torch.rand(n, 1)
    duration = torch.where(labels == FALL, 0.3, 2.0 + 2.5 * torch.rand(n)).unsqueeze(1)
    progress = ((t - start) / duration).clamp(0.0, 1.0)
    progress = torch.where((labels == UPRIGHT).unsqueeze(1), 0.0, progress)
    progress = torch.where((labels == STAND_UP).unsqueeze(1), 1.0 - progress, progress)
    tilt = 0.3 * torch.randn(n, 1)
    angle = tilt + (torch.pi / 2) * progress + 0.05 * torch.sin(2 * torch.pi * torch.rand(n, 1) * t)
    signal = orientation(angle)
    impact = (labels == FALL).unsqueeze(1) & ((t - start - duration).abs() < 0.1)
    signal = signal + impact.unsqueeze(-1) * 3.0 * torch.randn(n, 1, 3)
    signal = signal + 0.08 * torch.randn(n, RATE * SECONDS, 3)
    return signal, labels


train_x, train_y = make_windows(3000)
val_x, val_y = make_windows(600)


class FallRNN(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(3, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 4)

    def forward(self, samples):
        frames = samples.view(samples.shape[0], -1, FRAME, 3).sum(dim=2)
        states, _ = self.rnn(frames)
        return self.head(states[:, -1])


model = FallRNN()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(15):
    permutation = torch.randperm(len(train_x))
    total = 0.0
    for start in range(0, len(train_x), 64):
        index = permutation[start : start + 64]
        optimizer.zero_grad()
        loss = criterion(model(train_x[index]), train_y[index])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(index)
    with torch.no_grad():
        accuracy = (model(val_x).argmax(1) == val_y).float().mean().item()
    print(f"epoch {epoch + 1}: loss {total / len(train_x):.3f}, val acc {accuracy:.3f}")
