"""The GIL is released inside the core's kernels: Python threads compute concurrently."""
import sys
import threading
import time
from typing import List

import numpy as np
import pytest

import minitorch


def model_step(seed: int) -> List[np.ndarray]:
    """One forward and backward pass of a two-layer network; its loss and gradients."""
    rng = np.random.default_rng(seed)
    x = minitorch.tensor(rng.standard_normal((64, 256)))
    w1 = minitorch.tensor(rng.standard_normal((256, 128)) * 0.1, requires_grad=True)
    w2 = minitorch.tensor(rng.standard_normal((128, 8)) * 0.1, requires_grad=True)
    for _ in range(3):
        loss = ((x @ w1).relu() @ w2).sigmoid().sum()
        loss.backward()
    return [loss.to_numpy(), w1.grad.to_numpy(), w2.grad.to_numpy()]


def test_concurrent_models_give_the_serial_numbers() -> None:
    seeds = [1, 2, 3, 4]
    serial = [model_step(s) for s in seeds]
    results: List[List[np.ndarray]] = [[] for _ in seeds]
    errors: List[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = model_step(seeds[i])
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(seeds))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for got, expected in zip(results, serial):
        for g, e in zip(got, expected):
            np.testing.assert_array_equal(g, e)


BIG = minitorch.rand((512, 512))
OTHER = minitorch.rand((512, 512))
KERNELS = {
    "matmul": lambda: BIG @ OTHER,
    "add": lambda: BIG + OTHER,
    "mul_number": lambda: BIG * 2.0,
    "exp": lambda: BIG.exp(),
    "sum": lambda: BIG.sum(0),
    "backend_zip": lambda: minitorch.SimpleBackend.mul_zip(BIG, OTHER),
}


def another_thread_moves_during(measured, prepare=lambda: None, attempts: int = 200) -> bool:
    """Whether a counting thread makes progress while ``measured()`` runs, in some attempt.

    With a switch interval far longer than the test, a thread holding the GIL keeps it until it
    releases it itself: the counter can move during ``measured`` only if the core let go.
    ``prepare()`` runs before each attempt, outside the measured window.
    """
    counter = [0]
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            counter[0] += 1
            time.sleep(0.0001)  # waits without the GIL, so the main thread can take it back

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    worker = threading.Thread(target=count)
    worker.start()
    try:
        for _ in range(attempts):
            state = prepare()
            before = counter[0]
            measured(state)
            if counter[0] != before:
                return True
        return False
    finally:
        stop.set()
        sys.setswitchinterval(old)
        worker.join()


@pytest.mark.parametrize("kernel", list(KERNELS))
def test_a_thread_runs_while_another_computes(kernel: str) -> None:
    run = KERNELS[kernel]
    assert another_thread_moves_during(
        lambda _: run()
    ), f"no progress in another thread during any of 200 runs of {kernel}"


def test_backward_releases_the_gil() -> None:
    x = minitorch.rand((256, 256), requires_grad=True)
    assert another_thread_moves_during(
        lambda loss: loss.backward(), prepare=lambda: (x @ x @ x).sum(), attempts=50
    ), "no progress in another thread during any of 50 backward passes"
