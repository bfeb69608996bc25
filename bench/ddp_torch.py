#!/usr/bin/python3
"""PyTorch's DistributedDataParallel peer of `mpirun -np N minitorch train --task fashion-mnist
--model lenet`: LeNet-5 (bench/lenet_peer.py's, the same net as ours) on Fashion-MNIST, Gloo
backend on loopback, one process per rank, each with one thread and pinned to its own CPU.

Usage:  /usr/bin/python3 bench/ddp_torch.py [--ranks N] [--epochs E] [--batch-size GLOBAL]
                                            [--threads T] [--lr LR] [--target ACC] [--seed S]
(Debian's python3-torch is importable only under /usr/bin/python3.)

The recipe is ours (`make run`, bench/fashion_mnist_peer.py): Debian's dataset-fashion-mnist, the
images scaled to [0, 1] and normalised by the training set's mean and standard deviation, Adam
lr 1e-3, cross-entropy. --batch-size is the global batch (default 128): each of N ranks takes
GLOBAL / N. Each epoch's order comes from torch's DistributedSampler (shuffled with the same seed
on every rank, reshuffled by set_epoch, PyTorch's padding of uneven shards); --ranks 1 is the same
loop on one process without DDP or a process group (the reference). After each epoch the test set
(10,000 images) is evaluated, sharded over the ranks and the counts summed. Training stops after
E epochs (default 20); the time to the target test accuracy (default 0.90) is the summed training
time of the epochs up to the first that reaches it, or null if none did.

Output on stdout, from rank 0: one JSON line per epoch
  {"kind": "epoch", "impl": "pytorch", "ranks": N, "epoch": e, "loss": ..., "test_accuracy": ...,
   "epoch_seconds": ..., "samples_per_second": ...}
(epoch_seconds is the training loop alone, from a barrier before the first step to the end of the
last; samples_per_second counts every rank's images) and a last line
  {"kind": "summary", "impl": "pytorch", "ranks": N, "threads": T, "global_batch": B,
   "epochs": E, "img_per_s_median": ..., "target": ACC, "epochs_to_target": e or null,
   "seconds_to_target": ... or null, "best_test_accuracy": ..., "train_seconds": ...}
and a readable line per epoch on stderr.
"""
import argparse
import datetime
import json
import os
import socket
import statistics
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lenet_peer import lenet  # noqa: E402  the same network as ours
from fashion_mnist_peer import idx  # noqa: E402  the same IDX reader as the other peer


def load():
    train_x = torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
    train_y = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
    test_x = torch.from_numpy(idx("t10k-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
    test_y = torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))
    mean, std = train_x.mean().item(), train_x.std(unbiased=False).item()
    return (train_x - mean) / std, train_y, (test_x - mean) / std, test_y


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin(rank, threads):
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) >= threads:
        first = (rank * threads) % len(cpus)
        os.sched_setaffinity(0, {cpus[(first + i) % len(cpus)] for i in range(threads)})


def test_correct(net, test_x, test_y, rank, ranks):
    """This rank's share of the test set: its count of correct answers and of images."""
    n = test_x.shape[0]
    lo, hi = n * rank // ranks, n * (rank + 1) // ranks
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(lo, hi, 1000):
            j = min(i + 1000, hi)
            correct += (net(test_x[i:j]).argmax(1) == test_y[i:j]).sum().item()
    net.train()
    return correct, hi - lo


def worker(rank, args, port):
    ranks = args.ranks
    pin(rank, args.threads)
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    distributed = ranks > 1
    if distributed:
        os.environ["MASTER_ADDR"] = "127.0.0.1"
        os.environ["MASTER_PORT"] = str(port)
        # A rank that died must not leave its partner waiting in Gloo forever.
        dist.init_process_group("gloo", rank=rank, world_size=ranks,
                                timeout=datetime.timedelta(seconds=300))
    torch.manual_seed(args.seed)
    train_x, train_y, test_x, test_y = load()
    net = lenet()
    model = DistributedDataParallel(net) if distributed else net  # broadcasts rank 0's weights
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sampler = DistributedSampler(range(train_x.shape[0]), num_replicas=ranks, rank=rank,
                                 shuffle=True, seed=args.seed)
    per_rank = args.batch_size // ranks
    lead = rank == 0

    def barrier():
        if distributed:
            dist.barrier()

    def summed(values):
        t = torch.tensor(values, dtype=torch.float64)
        if distributed:
            dist.all_reduce(t)
        return t.tolist()

    epochs_seconds, rates = [], []
    reached, best = None, 0.0
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)
        order = torch.tensor(list(iter(sampler)), dtype=torch.int64)
        loss_sum = 0.0
        barrier()
        start = time.perf_counter()
        for i in range(0, order.shape[0], per_rank):
            index = order[i:i + per_rank]
            opt.zero_grad()
            loss = F.cross_entropy(model(train_x[index]), train_y[index])
            loss.backward()
            opt.step()
            loss_sum += loss.item() * index.shape[0]
        seconds = time.perf_counter() - start
        seconds = max(summed([0.0] * rank + [seconds] + [0.0] * (ranks - rank - 1)))
        correct, count, loss_total, samples = summed(
            list(test_correct(net, test_x, test_y, rank, ranks)) + [loss_sum, order.shape[0]])
        accuracy = correct / count
        epochs_seconds.append(seconds)
        rates.append(samples / seconds)
        best = max(best, accuracy)
        if reached is None and accuracy >= args.target:
            reached = epoch
        if lead:
            print(json.dumps({"kind": "epoch", "impl": "pytorch", "ranks": ranks, "epoch": epoch,
                              "loss": loss_total / samples, "test_accuracy": accuracy,
                              "epoch_seconds": seconds, "samples_per_second": samples / seconds}),
                  flush=True)
            print(f"pytorch {ranks} rank(s) epoch {epoch}: test {100 * accuracy:.2f} %, "
                  f"{samples / seconds:.0f} img/s, {seconds:.2f} s", file=sys.stderr, flush=True)
    if lead:
        print(json.dumps({
            "kind": "summary", "impl": "pytorch", "ranks": ranks, "threads": args.threads,
            "global_batch": per_rank * ranks, "epochs": args.epochs,
            "img_per_s_median": statistics.median(rates), "target": args.target,
            "epochs_to_target": reached,
            "seconds_to_target": sum(epochs_seconds[:reached]) if reached else None,
            "best_test_accuracy": best, "train_seconds": sum(epochs_seconds)}), flush=True)
    if distributed:
        dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=128, help="global batch")
    ap.add_argument("--threads", type=int, default=1, help="per rank")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--target", type=float, default=0.90)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.ranks < 1 or args.epochs < 1 or args.threads < 1:
        ap.error("--ranks, --epochs and --threads must be at least 1")
    if args.batch_size < args.ranks or args.batch_size % args.ranks:
        ap.error(f"--batch-size {args.batch_size} is not a multiple of --ranks {args.ranks}")
    if args.ranks == 1:
        worker(0, args, None)
    else:
        mp.spawn(worker, args=(args, free_port()), nprocs=args.ranks, join=True)


if __name__ == "__main__":
    main()
