"""MiniTorch's module-4 text project, on the SpamAssassin corpus (ham or spam).

The course classifies SST-2 sentences with GloVe embeddings, both downloaded; here the corpus is
the one ``scripts/install-deps.sh`` installs and the embeddings are learned (``nn.Embedding``).
The network is the course's CNN after Kim (2014): embeddings [B, L, E] -> three same-length
``conv1d`` of widths 3, 4, 5 with ``feature_map_size`` maps each -> relu -> max over time ->
concatenated -> dropout -> Linear -> sigmoid (the paper's order; the course's script sums the
three maps and drops out after the Linear). Binary cross-entropy, SGD, minibatches of 10. Logs
the loss, train and validation accuracy after each epoch.

    /usr/bin/python3 run_sentiment.py --TRAIN 1000 --VALID 300 --EPOCHS 5
"""
import argparse
import random

import numpy as np

import minitorch
from minitorch.data import spam_corpus

backend = minitorch.TensorBackend(minitorch.FastOps)


class Conv1d(minitorch.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_width: int) -> None:
        super().__init__()
        self.weights = minitorch.Parameter(
            0.1 * (minitorch.rand((out_channels, in_channels, kernel_width), backend=backend) - 0.5)
        )
        self.bias = minitorch.Parameter(minitorch.zeros((1, out_channels, 1), backend=backend))

    def forward(self, x):
        return minitorch.conv1d(x, self.weights.value) + self.bias.value


class CNNSentimentKim(minitorch.Module):
    def __init__(self, vocabulary: int, feature_map_size=100, embedding_size=50,
                 filter_sizes=(3, 4, 5), dropout=0.25) -> None:
        super().__init__()
        self.embedding = minitorch.nn.Embedding(vocabulary, embedding_size)
        self.convs = [Conv1d(embedding_size, feature_map_size, k) for k in filter_sizes]
        for i, conv in enumerate(self.convs):
            setattr(self, f"conv{i + 1}", conv)
        self.dropout = dropout
        self.linear_weights = minitorch.Parameter(
            0.1 * (minitorch.rand((feature_map_size * len(filter_sizes), 1), backend=backend) - 0.5)
        )
        self.linear_bias = minitorch.Parameter(minitorch.zeros((1,), backend=backend))

    def forward(self, tokens):
        batch = tokens.shape[0]
        x = self.embedding(tokens).permute(0, 2, 1)  # [B, E, L]
        pooled = [minitorch.max(conv.forward(x).relu(), 2) for conv in self.convs]  # [B, F, 1]
        h = minitorch.cat(pooled, 1).view(batch, -1)
        h = minitorch.dropout(h, self.dropout, ignore=not self.training)
        return (h @ self.linear_weights.value + self.linear_bias.value).sigmoid().view(batch)


def accuracy(model, x, y) -> float:
    model.eval()
    correct = 0
    for i in range(0, x.shape[0], 100):
        rows = x.narrow(0, i, min(100, x.shape[0] - i))
        labels = y.narrow(0, i, rows.shape[0])
        correct += int(((model.forward(rows) > 0.5) == labels).sum()[0])
    model.train()
    return correct / x.shape[0]


def train(model, x, y, val_x, val_y, learning_rate, max_epochs, batch=10):
    optim = minitorch.SGD(model.parameters(), learning_rate)
    n = x.shape[0]
    val = 0.0
    for epoch in range(1, max_epochs + 1):
        order = list(range(0, n - batch + 1, batch))
        random.shuffle(order)
        total_loss = 0.0
        for start in order:
            xb, yb = x.narrow(0, start, batch), y.narrow(0, start, batch)
            optim.zero_grad()
            out = model.forward(xb)
            prob = (out * yb) + (out - 1.0) * (yb - 1.0)
            loss = -(prob.log().sum().view(1)) * (1.0 / batch)
            loss.backward()
            optim.step()
            total_loss += loss[0]
        train_acc = accuracy(model, x, y)
        val = accuracy(model, val_x, val_y)
        print(f"Epoch {epoch}  loss {total_loss:.4f}  train accuracy {train_acc:.4f}  "
              f"validation accuracy {val:.4f}", flush=True)
    return val


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--TRAIN", type=int, default=1000, help="training mails")
    parser.add_argument("--VALID", type=int, default=300, help="validation mails")
    parser.add_argument("--LENGTH", type=int, default=64, help="tokens per mail")
    parser.add_argument("--RATE", type=float, default=0.05)
    parser.add_argument("--EPOCHS", type=int, default=5)
    parser.add_argument("--SEED", type=int, default=0)
    args = parser.parse_args()
    random.seed(args.SEED)
    minitorch.manual_seed(args.SEED)
    corpus = spam_corpus(length=args.LENGTH, max_vocabulary=5000)
    dtype = minitorch.get_default_dtype()

    def take(split, count):
        # The splits are sorted by folder (ham first): a seeded sample mixes the classes.
        x, y = (t.numpy() for t in corpus[split])
        rows = np.random.default_rng(args.SEED).permutation(len(y))[:count]
        return (minitorch.tensor(x[rows], backend=backend, dtype=dtype),
                minitorch.tensor(y[rows], backend=backend, dtype=dtype))

    x, y = take("train", args.TRAIN)
    val_x, val_y = take("validation", args.VALID)
    model = CNNSentimentKim(len(corpus["vocabulary"]))
    val = train(model, x, y, val_x, val_y, args.RATE, args.EPOCHS)
    print(f"accuracy {val:.4f}")


if __name__ == "__main__":
    main()
