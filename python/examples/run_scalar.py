"""MiniTorch's module-1 project: a 3-layer network of Scalars trained on a 2-D data set.

Every weight is a ``minitorch.Scalar`` parameter; each point's loss is backpropagated by the
autodiff engine, and SGD steps once per epoch. Logs ``Epoch E  loss L  correct C`` every 10 epochs.

    /usr/bin/python3 run_scalar.py --DATASET xor --HIDDEN 10 --RATE 0.5 --EPOCHS 500
"""
import argparse
import random

import minitorch


class Linear(minitorch.Module):
    """in_size -> out_size, one Scalar parameter per weight and bias."""

    def __init__(self, in_size: int, out_size: int) -> None:
        super().__init__()
        self.weights = [
            [
                self.add_parameter(f"weight_{i}_{j}", minitorch.Scalar(2 * (random.random() - 0.5)))
                for j in range(out_size)
            ]
            for i in range(in_size)
        ]
        self.bias = [
            self.add_parameter(f"bias_{j}", minitorch.Scalar(2 * (random.random() - 0.5)))
            for j in range(out_size)
        ]

    def forward(self, inputs):
        outputs = []
        for j, bias in enumerate(self.bias):
            total = bias.value
            for i, x in enumerate(inputs):
                total = total + x * self.weights[i][j].value
            outputs.append(total)
        return outputs


class Network(minitorch.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.layer1 = Linear(2, hidden)
        self.layer2 = Linear(hidden, hidden)
        self.layer3 = Linear(hidden, 1)

    def forward(self, x):
        h = [v.relu() for v in self.layer1.forward(x)]
        h = [v.relu() for v in self.layer2.forward(h)]
        return self.layer3.forward(h)[0].sigmoid()


def log(epoch: int, total_loss: float, correct: int) -> None:
    print(f"Epoch {epoch}  loss {total_loss:.4f}  correct {correct}", flush=True)


class ScalarTrain:
    def __init__(self, hidden: int) -> None:
        self.model = Network(hidden)

    def run_one(self, x):
        return self.model.forward((minitorch.Scalar(x[0], name="x_1"), minitorch.Scalar(x[1], name="x_2")))

    def train(self, data, learning_rate: float, max_epochs: int = 500, log_fn=log) -> int:
        optim = minitorch.SGD(self.model.parameters(), learning_rate)
        correct = 0
        for epoch in range(1, max_epochs + 1):
            total_loss, correct = 0.0, 0
            optim.zero_grad()
            for x, y in zip(data.X, data.y):
                out = self.run_one(x)
                prob = out if y == 1 else -out + 1.0
                correct += 1 if (y == 1) == (out.data > 0.5) else 0
                loss = -prob.log()
                (loss / data.N).backward()
                total_loss += loss.data
            optim.step()
            if epoch % 10 == 0 or epoch == max_epochs:
                log_fn(epoch, total_loss, correct)
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
    data = minitorch.datasets[args.DATASET.capitalize()](args.PTS)
    correct = ScalarTrain(args.HIDDEN).train(data, args.RATE, args.EPOCHS)
    print(f"accuracy {correct / len(data.X):.4f}")


if __name__ == "__main__":
    main()
