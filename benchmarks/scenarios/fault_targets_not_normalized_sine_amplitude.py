"""Fit a noisy damped sine whose amplitude is in the thousands (sensor readings in raw units) with a
tanh MLP, SGD with momentum and L1 loss. Inputs are scaled to [-1, 1]; the targets are left raw."""
# fault: targets-not-normalized
# shows:

import math

import torch
import torch.nn as nn

torch.manual_seed(3)
t = torch.linspace(0, 1, 800).unsqueeze(1)
signal = 2500 * torch.exp(-2 * t) * torch.sin(12 * math.pi * t) + 4000
target = signal + 50 * torch.randn_like(signal)
inputs = 2 * t - 1

model = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
for step in range(400):
    index = torch.randint(0, 800, (64,))
    loss = nn.functional.l1_loss(model(inputs[index]), target[index])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        print(step, loss.item())
