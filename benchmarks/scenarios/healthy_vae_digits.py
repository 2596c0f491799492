"""Variational autoencoder on the 8x8 digits: pixels scaled to [0, 1], an MLP encoder that outputs the
mean and log-variance of a 4-d latent Gaussian, the reparameterisation trick (z = mu + sigma * eps) and
an MLP decoder with Bernoulli (BCE-with-logits) reconstruction. The loss is the negative ELBO per image:
summed reconstruction BCE plus the analytic KL to N(0, I). Adam 1e-3, 30 epochs; validation reports the
ELBO terms with z = mu."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)

X, _ = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X_train, X_val = train_test_split(X, test_size=0.2, random_state=0)
X_train, X_val = torch.from_numpy(X_train), torch.from_numpy(X_val)
loader = torch.utils.data.DataLoader(X_train, batch_size=64, shuffle=True)

LATENT = 4


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.mu = nn.Linear(64, LATENT)
        self.logvar = nn.Linear(64, LATENT)
        self.dec = nn.Sequential(
            nn.Linear(LATENT, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64)
        )

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        if self.training:
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        else:
            z = mu
        return self.dec(z), mu, logvar


def vae_loss(logits, x, mu, logvar):
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.size(0)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.size(0)
    return recon + kl, recon, kl


model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(30):
    model.train()
    running = 0.0
    for xb in loader:
        logits, mu, logvar = model(xb)
        loss, _, _ = vae_loss(logits, xb, mu, logvar)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    if epoch % 5 == 4 or epoch == 0:
        model.eval()
        with torch.no_grad():
            logits, mu, logvar = model(X_val)
            val_loss, recon, kl = vae_loss(logits, X_val, mu, logvar)
            mse = F.mse_loss(torch.sigmoid(logits), X_val).item()
        print(
            f"epoch {epoch + 1:2d}  train -elbo {running / len(X_train):.2f}  "
            f"val -elbo {val_loss.item():.2f} (recon {recon.item():.2f}, kl {kl.item():.2f})  "
            f"val pixel mse {mse:.4f}"
        )
