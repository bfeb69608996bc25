"""MiniTorch's module-4 image project, on Fashion-MNIST (Debian's dataset-fashion-mnist).

The course's network: Conv2d(1->4, 3x3) -> relu -> Conv2d(4->8, 3x3) -> relu -> avgpool2d 4x4 ->
Linear(392->64) -> relu -> dropout(0.25) -> Linear(64->10) -> logsoftmax, with the course's
same-size convolutions, trained by SGD on the negative log-likelihood of one-hot targets in
minibatches of 16 (learning rate 0.1 by default: the course's 0.01 needs its 500 epochs). Logs the
loss and the validation accuracy after each epoch.

    /usr/bin/python3 run_mnist_multiclass.py --TRAIN 5000 --VALID 500 --EPOCHS 10
"""
import argparse
import random
import time

import numpy as np

import minitorch
from minitorch.data import fashion_mnist

BATCH, C, H, W = 16, 10, 28, 28
backend = minitorch.TensorBackend(minitorch.FastOps)


def random_parameter(*shape):
    return minitorch.Parameter(0.1 * (minitorch.rand(shape, backend=backend) - 0.5))


class Linear(minitorch.Module):
    def __init__(self, in_size: int, out_size: int) -> None:
        super().__init__()
        self.weights = random_parameter(in_size, out_size)
        self.bias = random_parameter(out_size)

    def forward(self, x):
        return x @ self.weights.value + self.bias.value


class Conv2d(minitorch.Module):
    def __init__(self, in_channels: int, out_channels: int, kh: int, kw: int) -> None:
        super().__init__()
        self.weights = random_parameter(out_channels, in_channels, kh, kw)
        self.bias = random_parameter(out_channels, 1, 1)

    def forward(self, x):
        return minitorch.conv2d(x, self.weights.value) + self.bias.value


class Network(minitorch.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = Conv2d(1, 4, 3, 3)
        self.conv2 = Conv2d(4, 8, 3, 3)
        self.linear1 = Linear(392, 64)
        self.linear2 = Linear(64, C)

    def forward(self, x):
        batch = x.shape[0]
        h = self.conv1.forward(x).relu()
        h = self.conv2.forward(h).relu()
        h = minitorch.avgpool2d(h, (4, 4)).view(batch, 392)
        h = self.linear1.forward(h).relu()
        h = minitorch.dropout(h, 0.25, ignore=not self.training)
        return minitorch.logsoftmax(self.linear2.forward(h), dim=1)


def one_hot(labels: np.ndarray) -> np.ndarray:
    return np.eye(C)[labels.astype(np.int64)]


def accuracy(model: Network, images: np.ndarray, labels: np.ndarray) -> float:
    model.eval()
    correct = 0
    for i in range(0, len(images), 100):
        x = minitorch.tensor(images[i : i + 100], backend=backend)
        predicted = model.forward(x).to_numpy().argmax(axis=1)
        correct += int((predicted == labels[i : i + 100]).sum())
    model.train()
    return correct / len(images)


def train(model, images, labels, val_images, val_labels, learning_rate, max_epochs):
    optim = minitorch.SGD(model.parameters(), learning_rate)
    order = list(range(len(images)))
    for epoch in range(1, max_epochs + 1):
        start = time.perf_counter()
        random.shuffle(order)
        total_loss = 0.0
        for i in range(0, len(order) - BATCH + 1, BATCH):
            rows = order[i : i + BATCH]
            x = minitorch.tensor(images[rows], backend=backend)
            y = minitorch.tensor(one_hot(labels[rows]), backend=backend)
            optim.zero_grad()
            out = model.forward(x)
            loss = (out * y).sum().view(1) * (-1.0 / BATCH)
            loss.backward()
            optim.step()
            total_loss += loss[0]
        val = accuracy(model, val_images, val_labels)
        seconds = time.perf_counter() - start
        print(f"Epoch {epoch}  loss {total_loss:.4f}  valid accuracy {val:.4f}  time {seconds:.1f}s",
              flush=True)
    return val


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--TRAIN", type=int, default=5000, help="training images (from the start)")
    parser.add_argument("--VALID", type=int, default=500, help="validation images (from t10k)")
    parser.add_argument("--RATE", type=float, default=0.1)
    parser.add_argument("--EPOCHS", type=int, default=10)
    parser.add_argument("--SEED", type=int, default=0)
    args = parser.parse_args()
    random.seed(args.SEED)
    minitorch.manual_seed(args.SEED)
    images, labels, _ = fashion_mnist("train")
    val_images, val_labels, _ = fashion_mnist("t10k")
    images = images.numpy()[: args.TRAIN].astype(np.float64)
    labels = labels.numpy()[: args.TRAIN]
    val_images = val_images.numpy()[: args.VALID].astype(np.float64)
    val_labels = val_labels.numpy()[: args.VALID]
    val = train(Network(), images, labels, val_images, val_labels, args.RATE, args.EPOCHS)
    print(f"accuracy {val:.4f}")


if __name__ == "__main__":
    main()
