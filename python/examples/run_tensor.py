"""MiniTorch's module-2 project: the same 3-layer network on tensors, full batch.

Each Linear is written with broadcasting alone (no matrix multiply), as the course's module 2
asks: (x.view(B, in, 1) * W.view(1, in, out)).sum(1). Logs every 10 epochs.

    /usr/bin/python3 run_tensor.py --DATASET xor --HIDDEN 10 --RATE 0.5 --EPOCHS 500
"""
import argparse
import random

import minitorch


def random_parameter(*shape, backend=None):
    return minitorch.Parameter(2 * (minitorch.rand(shape, backend=backend) - 0.5))


class Linear(minitorch.Module):
    def __init__(self, in_size: int, out_size: int) -> None:
        super().__init__()
        self.weights = random_parameter(in_size, out_size)
        self.bias = random_parameter(out_size)
        self.out_size = out_size

    def forward(self, x):
        batch, in_size = x.shape
        products = x.view(batch, in_size, 1) * self.weights.value.view(1, in_size, self.out_size)
        return products.sum(1).view(batch, self.out_size) + self.bias.value.view(self.out_size)


class Network(minitorch.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.layer1 = Linear(2, hidden)
        self.layer2 = Linear(hidden, hidden)
        self.layer3 = Linear(hidden, 1)

    def forward(self, x):
        h = self.layer1.forward(x).relu()
        h = self.layer2.forward(h).relu()
        return self.layer3.forward(h).sigmoid()


def log(epoch: int, total_loss: float, correct: int) -> None:
    print(f"Epoch {epoch}  loss {total_loss:.4f}  correct {correct}", flush=True)


class TensorTrain:
    def __init__(self, hidden: int) -> None:
        self.model = Network(hidden)

    def run_one(self, x):
        return self.model.forward(minitorch.tensor([x]))

    def run_many(self, X):
        return self.model.forward(minitorch.tensor(X))

    def train(self, data, learning_rate: float, max_epochs: int = 500, log_fn=log) -> int:
        optim = minitorch.SGD(self.model.parameters(), learning_rate)
        X = minitorch.tensor(data.X)
        y = minitorch.tensor(data.y)
        n = len(data.X)
        correct = 0
        for epoch in range(1, max_epochs + 1):
            optim.zero_grad()
            out = self.model.forward(X).view(n)
            prob = (out * y) + (out - 1.0) * (y - 1.0)
            loss = -prob.log()
            (loss / n).sum().view(1).backward()
            optim.step()
            correct = int(((out > 0.5) == y).sum()[0])
            if epoch % 10 == 0 or epoch == max_epochs:
                log_fn(epoch, loss.sum()[0], correct)
        return correct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--PTS", type=int, default=50, help="number of points")
    parser.add_argument("--HIDDEN", type=int, default=2, help="hidden layer size")
    parser.add_argument("--RATE", type=float, default=0.5, help="learning rate")
    parser.add_argument("--DATASET", default="simple", help="simple, diag, split, xor, circle, spiral")
    parser.add_argument("--EPOCHS", type=int, default=500)
    parser.add_argument("--SEED", type=int, default=0)
    args = parser.parse_args()
    random.seed(args.SEED)
    minitorch.manual_seed(args.SEED)
    data = minitorch.datasets[args.DATASET.capitalize()](args.PTS)
    correct = TensorTrain(args.HIDDEN).train(data, args.RATE, args.EPOCHS)
    print(f"accuracy {correct / len(data.X):.4f}")


if __name__ == "__main__":
    main()
