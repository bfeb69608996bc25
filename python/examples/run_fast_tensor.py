"""MiniTorch's module-3 project: the 3-layer network with matrix multiplies, minibatches of 10.

``--BACKEND cpu`` runs the fast CPU backend (the course's FastOps), ``gpu`` the CUDA backend
(CudaOps; an error where CUDA is absent), ``simple`` the reference backend. Logs every 10 epochs
and the time per epoch.

    /usr/bin/python3 run_fast_tensor.py --DATASET split --HIDDEN 100 --RATE 0.05 --BACKEND cpu
"""
import argparse
import random
import time

import minitorch

OPS = {"cpu": "FastOps", "gpu": "CudaOps", "simple": "SimpleOps"}


def random_parameter(*shape, backend):
    return minitorch.Parameter(minitorch.rand(shape, backend=backend) - 0.5)


class Linear(minitorch.Module):
    def __init__(self, in_size: int, out_size: int, backend) -> None:
        super().__init__()
        self.weights = random_parameter(in_size, out_size, backend=backend)
        self.bias = minitorch.Parameter(minitorch.zeros((out_size,), backend=backend) + 0.1)

    def forward(self, x):
        return x @ self.weights.value + self.bias.value


class Network(minitorch.Module):
    def __init__(self, hidden: int, backend) -> None:
        super().__init__()
        self.layer1 = Linear(2, hidden, backend)
        self.layer2 = Linear(hidden, hidden, backend)
        self.layer3 = Linear(hidden, 1, backend)

    def forward(self, x):
        h = self.layer1.forward(x).relu()
        h = self.layer2.forward(h).relu()
        return self.layer3.forward(h).sigmoid()


def log(epoch: int, total_loss: float, correct: int, seconds: float) -> None:
    print(f"Epoch {epoch}  loss {total_loss:.4f}  correct {correct}  time/epoch {seconds:.4f}s", flush=True)


class FastTrain:
    def __init__(self, hidden: int, backend) -> None:
        self.hidden = hidden
        self.backend = backend
        self.model = Network(hidden, backend)

    def run_one(self, x):
        return self.model.forward(minitorch.tensor([x], backend=self.backend))

    def run_many(self, X):
        return self.model.forward(minitorch.tensor(X, backend=self.backend))

    def train(self, data, learning_rate: float, max_epochs: int = 500, batch: int = 10, log_fn=log) -> int:
        optim = minitorch.SGD(self.model.parameters(), learning_rate)
        points = list(zip(data.X, data.y))
        correct = 0
        for epoch in range(1, max_epochs + 1):
            start = time.perf_counter()
            total_loss = 0.0
            random.shuffle(points)
            for i in range(0, len(points), batch):
                xs, ys = zip(*points[i : i + batch])
                X = minitorch.tensor(list(xs), backend=self.backend)
                y = minitorch.tensor(list(ys), backend=self.backend)
                optim.zero_grad()
                out = self.model.forward(X).view(y.shape[0])
                prob = (out * y) + (out - 1.0) * (y - 1.0)
                loss = -prob.log()
                (loss / y.shape[0]).sum().view(1).backward()
                total_loss += loss.sum()[0]
                optim.step()
            seconds = time.perf_counter() - start
            if epoch % 10 == 0 or epoch == max_epochs:
                out = self.run_many(data.X).view(len(data.y))
                y = minitorch.tensor(data.y, backend=self.backend)
                correct = int(((out > 0.5) == y).sum()[0])
                log_fn(epoch, total_loss, correct, seconds)
        return correct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--PTS", type=int, default=50, help="number of points")
    parser.add_argument("--HIDDEN", type=int, default=10, help="hidden layer size")
    parser.add_argument("--RATE", type=float, default=0.05, help="learning rate")
    parser.add_argument("--BACKEND", default="cpu", choices=sorted(OPS), help="cpu, gpu or simple")
    parser.add_argument("--DATASET", default="simple", help="simple, diag, split, xor, circle, spiral")
    parser.add_argument("--EPOCHS", type=int, default=500)
    parser.add_argument("--SEED", type=int, default=0)
    args = parser.parse_args()
    random.seed(args.SEED)
    minitorch.manual_seed(args.SEED)
    backend = minitorch.TensorBackend(getattr(minitorch, OPS[args.BACKEND]))
    data = minitorch.datasets[args.DATASET.capitalize()](args.PTS)
    correct = FastTrain(args.HIDDEN, backend).train(data, args.RATE, args.EPOCHS)
    print(f"accuracy {correct / len(data.X):.4f}")


if __name__ == "__main__":
    main()
