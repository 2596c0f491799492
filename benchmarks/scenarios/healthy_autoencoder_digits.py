"""A small fully connected autoencoder (64 -> 32 -> 8 -> 32 -> 64) that learns to reconstruct
the scikit-learn digits images through an 8-unit bottleneck, trained with Adam and MSE loss."""
# fault: none
# shows:

import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader

torch.manual_seed(0)

images = torch.tensor(load_digits().data, dtype=torch.float32) / 16.0
train_images, test_images = images[:1500], images[1500:]
loader = DataLoader(train_images, batch_size=64, shuffle=True)


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 8))
        self.decoder = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 64), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


model = AutoEncoder()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
mse = nn.MSELoss()

for epoch in range(25):
    model.train()
    total = 0.0
    for batch in loader:
        recon = model(batch)
        loss = mse(recon, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * batch.size(0)
    if (epoch + 1) % 5 == 0:
        model.eval()
        with torch.no_grad():
            test_loss = mse(model(test_images), test_images).item()
        print(f"epoch {epoch + 1}: train mse {total / len(train_images):.5f}  test mse {test_loss:.5f}")
