"""Knowledge distillation on the digits. A CNN teacher is trained first for a few epochs with
cross-entropy (SGD with Nesterov momentum). It is then frozen (eval mode, requires_grad off, its
forward under torch.no_grad) and a small MLP student (64 -> 32 -> 10) is trained with AdamW on
alpha * T^2 * KL(student_T || teacher_T) + (1 - alpha) * CE(student, labels), temperature T = 3.
A second student of the same size trained on the labels alone is the reference."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
x = (digits.images / 16.0).astype(np.float32)[:, None]
x_train, x_test, y_train, y_test = train_test_split(
    x, digits.target, test_size=0.3, random_state=1, stratify=digits.target
)
x_train, x_test = torch.from_numpy(x_train), torch.from_numpy(x_test)
y_train, y_test = torch.from_numpy(y_train), torch.from_numpy(y_test)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
EPOCHS_T, EPOCHS_S = 8, 20


class Teacher(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 4, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.head(self.features(x))


def make_student():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


@torch.no_grad()
def accuracy(model):
    model.eval()
    return (model(x_test).argmax(1) == y_test).float().mean().item()


# 1) teacher
teacher = Teacher()
opt_t = torch.optim.SGD(teacher.parameters(), lr=0.05, momentum=0.9, nesterov=True)
for epoch in range(EPOCHS_T):
    teacher.train()
    for xb, yb in loader:
        loss = F.cross_entropy(teacher(xb), yb)
        opt_t.zero_grad()
        loss.backward()
        opt_t.step()
    print(f"teacher epoch {epoch + 1}: loss {loss.item():.3f}  test acc {accuracy(teacher):.3f}")

teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)

# 2) student
T, alpha = 3.0, 0.7
student = make_student()
opt_s = torch.optim.AdamW(student.parameters(), lr=3e-3, weight_decay=1e-4)
for epoch in range(EPOCHS_S):
    student.train()
    for xb, yb in loader:
        logits = student(xb)
        with torch.no_grad():
            soft_targets = F.softmax(teacher(xb) / T, dim=1)
        kd = F.kl_div(F.log_softmax(logits / T, dim=1), soft_targets, reduction="batchmean") * T * T
        loss = alpha * kd + (1 - alpha) * F.cross_entropy(logits, yb)
        opt_s.zero_grad()
        loss.backward()
        opt_s.step()
    if epoch % 5 == 4:
        print(f"student epoch {epoch + 1}: loss {loss.item():.3f}  test acc {accuracy(student):.3f}")

print(f"teacher test acc {accuracy(teacher):.3f}  student test acc {accuracy(student):.3f}")
