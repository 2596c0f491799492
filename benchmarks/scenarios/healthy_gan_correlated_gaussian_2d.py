"""A small GAN on a 2-D toy distribution: the "real" data is a correlated Gaussian centred at
(2, -1) (std 1.5 and 0.5 along its axes, rotated by 30 degrees). A generator MLP maps 4-D noise to
points and a discriminator MLP scores them; the two are trained in alternation with their own Adam
optimizers (betas 0.5, 0.999, the DCGAN defaults) and BCEWithLogitsLoss, the generator with the usual
non-saturating loss (fake points labelled real). At the end the generated cloud's mean, standard
deviations and correlation are compared with the real ones."""
# fault: none
# shows:

import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
np.random.seed(0)

angle = math.radians(30)
rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
cov = rotation @ np.diag([1.5**2, 0.5**2]) @ rotation.T
chol = torch.tensor(np.linalg.cholesky(cov), dtype=torch.float32)
centre = torch.tensor([2.0, -1.0])


def sample_real(n):
    return torch.randn(n, 2) @ chol.T + centre


NOISE = 4
generator = nn.Sequential(
    nn.Linear(NOISE, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 2)
)
discriminator = nn.Sequential(
    nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1)
)
opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))
bce = nn.BCEWithLogitsLoss()

batch = 128
ones = torch.ones(batch, 1)
zeros = torch.zeros(batch, 1)
for step in range(1, 3001):
    # discriminator step: real -> 1, fake -> 0
    real = sample_real(batch)
    fake = generator(torch.randn(batch, NOISE)).detach()
    d_loss = bce(discriminator(real), ones) + bce(discriminator(fake), zeros)
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()

    # generator step: make the discriminator call the fakes real
    fake = generator(torch.randn(batch, NOISE))
    g_loss = bce(discriminator(fake), ones)
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()

    if step % 500 == 0:
        print(f"step {step}: d_loss {d_loss.item():.3f}  g_loss {g_loss.item():.3f}")

with torch.no_grad():
    fake = generator(torch.randn(10000, NOISE)).numpy()
real = sample_real(10000).numpy()
for name, pts in (("real", real), ("generated", fake)):
    mean, std = pts.mean(0), pts.std(0)
    corr = np.corrcoef(pts.T)[0, 1]
    print(
        f"{name:>9}: mean ({mean[0]:.2f}, {mean[1]:.2f})  std ({std[0]:.2f}, {std[1]:.2f})  corr {corr:.2f}"
    )
