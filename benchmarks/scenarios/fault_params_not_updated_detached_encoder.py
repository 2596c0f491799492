"""Convolutional autoencoder on digits. To log the codes, the author wrote z = self.encoder(x).detach()
in forward(), so the reconstruction loss never reaches the encoder: only the decoder trains, on the
codes of a random encoder."""

# fault: params-not-updated
# shows:
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X = torch.tensor(load_digits().data, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 64, 16)
        )
        self.decoder = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.Sigmoid())
        self.codes = None

    def forward(self, x):
        z = self.encoder(x).detach()
        self.codes = z
        return self.decoder(z).view_as(x)


model = AutoEncoder()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.MSELoss()
for epoch in range(6):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        xb = X[perm[i : i + 64]]
        optimizer.zero_grad()
        loss = criterion(model(xb), xb)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: reconstruction mse {loss.item():.4f}")
