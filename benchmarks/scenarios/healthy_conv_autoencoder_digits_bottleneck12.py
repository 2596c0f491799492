"""Convolutional autoencoder for the 8x8 scikit-learn digits (pixels scaled to [0, 1]). The encoder is
two strided convolutions (8x8 -> 4x4 -> 2x2) and a linear layer down to a 12-dimensional code; the
decoder mirrors it with transposed convolutions and ends in a sigmoid. Trained with MSE reconstruction
loss and RMSprop; the held-out reconstruction error is compared with the error of predicting the mean
image, and a logistic regression on the 12-D codes checks that they keep the digit identity."""
# fault: none
# shows:

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
images = (digits.images / 16.0).astype(np.float32)[:, None]  # (N, 1, 8, 8)
x_train, x_test, y_train, y_test = train_test_split(images, digits.target, test_size=0.25, random_state=0)
x_train, x_test = torch.from_numpy(x_train), torch.from_numpy(x_test)
loader = DataLoader(TensorDataset(x_train), batch_size=32, shuffle=True)

CODE = 12


class ConvAutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1),  # 4x4
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1),  # 2x2
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(32 * 2 * 2, CODE),
        )
        self.decoder_fc = nn.Linear(CODE, 32 * 2 * 2)
        self.decoder = nn.Sequential(
            nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1),  # 4x4
            nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1),  # 8x8
            nn.Sigmoid(),
        )

    def encode(self, x):
        return self.encoder(x)

    def forward(self, x):
        z = self.encode(x)
        return self.decoder(self.decoder_fc(z).view(-1, 32, 2, 2))


model = ConvAutoEncoder()
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
criterion = nn.MSELoss()

baseline = criterion(x_train.mean(0, keepdim=True).expand_as(x_test), x_test).item()
print(f"mean-image baseline MSE {baseline:.4f}")
for epoch in range(25):
    model.train()
    total = 0.0
    for (xb,) in loader:
        recon = model(xb)
        loss = criterion(recon, xb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    if epoch % 5 == 4 or epoch == 0:
        model.eval()
        with torch.no_grad():
            test_mse = criterion(model(x_test), x_test).item()
        print(f"epoch {epoch + 1:2d}: train MSE {total / len(x_train):.4f}  test MSE {test_mse:.4f}")

model.eval()
with torch.no_grad():
    z_train, z_test = model.encode(x_train).numpy(), model.encode(x_test).numpy()
probe = LogisticRegression(max_iter=2000).fit(z_train, y_train)
print(f"linear probe on the {CODE}-D codes: test acc {probe.score(z_test, y_test):.3f}")
