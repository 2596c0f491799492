"""An LSTM sequence classifier: noisy sine waves of three different frequencies
(random phase and amplitude) are classified from the final hidden state, trained with Adam."""
# fault: none
# shows:

import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)

SEQ_LEN = 30
FREQS = [1.0, 2.0, 3.0]


def make_dataset(n):
    labels = torch.randint(0, len(FREQS), (n,))
    t = torch.linspace(0, 2 * math.pi, SEQ_LEN)
    freq = torch.tensor(FREQS)[labels].unsqueeze(1)
    phase = 2 * math.pi * torch.rand(n, 1)
    amp = 0.5 + torch.rand(n, 1)
    x = amp * torch.sin(freq * t + phase) + 0.2 * torch.randn(n, SEQ_LEN)
    return x.unsqueeze(-1), labels


class LSTMClassifier(nn.Module):
    def __init__(self, hidden_size=24, num_classes=3):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.fc(h_n[-1])


X_train, y_train = make_dataset(1200)
X_val, y_val = make_dataset(300)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)

model = LSTMClassifier()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)

for epoch in range(8):
    model.train()
    running_loss = 0.0
    for batch_x, batch_y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(batch_x), batch_y)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    model.eval()
    with torch.no_grad():
        val_out = model(X_val)
        val_loss = criterion(val_out, y_val).item()
        val_acc = (val_out.argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch + 1}: train loss {running_loss / len(train_loader):.3f}  "
          f"val loss {val_loss:.3f}  val acc {val_acc:.3f}")
