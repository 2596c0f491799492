"""Variational autoencoder on the 8x8 digits: pixels scaled to [0, 1], an MLP encoder that outputs the
mean and log-variance of an 8-d latent Gaussian, the reparameterisation trick (z = mu + sigma * eps) and
an MLP decoder with a sigmoid output. The likelihood is Gaussian with a fixed pixel noise sigma = 0.1, so
the loss is the negative ELBO per image: sum of squared errors / (2 sigma^2) plus the analytic KL to
N(0, I). Adam 2e-3, 40 epochs; validation decodes z = mu and reports the ELBO terms and pixel MSE."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)

X, _ = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X_train, X_val = train_test_split(X, test_size=0.2, random_state=0)
X_train, X_val = torch.from_numpy(X_train), torch.from_numpy(X_val)
loader = torch.utils.data.DataLoader(X_train, batch_size=64, shuffle=True)

LATENT = 8
SIGMA = 0.1


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.mu = nn.Linear(64, LATENT)
        self.logvar = nn.Linear(64, LATENT)
        self.dec = nn.Sequential(
            nn.Linear(LATENT, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.Sigmoid()
        )

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if self.training else mu
        return self.dec(z), mu, logvar


def neg_elbo(x_hat, x, mu, logvar):
    recon = ((x_hat - x) ** 2).sum() / (2 * SIGMA**2) / x.size(0)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.size(0)
    return recon + kl, recon, kl


model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

for epoch in range(40):
    model.train()
    running = 0.0
    for xb in loader:
        x_hat, mu, logvar = model(xb)
        loss, _, _ = neg_elbo(x_hat, xb, mu, logvar)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    if epoch % 5 == 4 or epoch == 0:
        model.eval()
        with torch.no_grad():
            x_hat, mu, logvar = model(X_val)
            val_loss, recon, kl = neg_elbo(x_hat, X_val, mu, logvar)
            mse = ((x_hat - X_val) ** 2).mean().item()
        print(
            f"epoch {epoch + 1:2d}  train -elbo {running / len(X_train):7.2f}  "
            f"val -elbo {val_loss.item():7.2f} (recon {recon.item():6.2f}, kl {kl.item():5.2f})  "
            f"val pixel mse {mse:.4f}"
        )
