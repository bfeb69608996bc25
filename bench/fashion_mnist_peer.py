#!/usr/bin/python3
"""PyTorch's twin of `minitorch train --task fashion-mnist --model lenet`: the same LeNet-5, data
(Debian's dataset-fashion-mnist, normalised by the training images' mean and std), recipe (Adam,
batch 64, shuffled each epoch, optional cosine schedule) and per-epoch test accuracy. Prints one
JSON object per epoch. Usage: fashion_mnist_peer.py --epochs 15 --threads 1 [--schedule cosine]"""
import argparse
import gzip
import json
import resource
import time

import numpy as np
import torch
import torch.nn.functional as F

from lenet_peer import lenet  # the same network as bench/bench_lenet.cpp's twin

DIR = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(f"{DIR}/{name}.gz", "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--schedule", choices=["none", "cosine"], default="none")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x = torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
    train_y = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
    test_x = torch.from_numpy(idx("t10k-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
    test_y = torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))
    mean, std = train_x.mean().item(), train_x.std(unbiased=False).item()
    train_x, test_x = (train_x - mean) / std, (test_x - mean) / std
    net = lenet()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs) if args.schedule == "cosine" else None
    n = train_x.shape[0]
    for epoch in range(1, args.epochs + 1):
        net.train()
        order = torch.randperm(n)
        start = time.perf_counter()
        loss_sum = 0.0
        for i in range(0, n, 64):
            index = order[i : i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(net(train_x[index]), train_y[index])
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(index)
        seconds = time.perf_counter() - start
        if sched:
            sched.step()
        net.eval()
        with torch.no_grad():
            correct = sum((net(test_x[i : i + 1000]).argmax(1) == test_y[i : i + 1000]).sum().item()
                          for i in range(0, test_x.shape[0], 1000))
        print(json.dumps({"epoch": epoch, "loss": loss_sum / n, "test_accuracy": correct / test_x.shape[0],
                          "epoch_seconds": seconds, "samples_per_second": n / seconds,
                          "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


if __name__ == "__main__":
    main()
