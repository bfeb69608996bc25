"""minitorch.save / load_state_dict (safetensors) and minitorch.load of a `minitorch train` run."""
import json
import os
import subprocess

import numpy as np
import pytest

import minitorch
import minitorch.nn as nn
from minitorch import _C
from nn_strategies import assert_close, tensor


def test_module_round_trip(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    path = tmp_path / "model.safetensors"
    minitorch.save(model, path)
    state = minitorch.load_state_dict(path)
    assert list(state) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    other = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    other.load_state_dict(state)
    x = _C.rand((2, 1, 6, 6))
    assert_close(other(x), model(x).to_numpy(), 0.0)
    assert sorted(os.listdir(tmp_path)) == ["model.safetensors"]  # no temporary file left


def test_dict_of_tensors_and_parameters(tmp_path):
    path = str(tmp_path / "state.safetensors")
    a = tensor([[1.0, 2.0], [3.0, 4.0]])
    minitorch.save({"a": a, "b": minitorch.Parameter(tensor([5.0]))}, path,
                   metadata={"note": "test"})
    state = minitorch.load_state_dict(path)
    assert state["a"].to_numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert state["b"].to_numpy().tolist() == [5.0]
    assert _C.load_safetensors(path).metadata["note"] == "test"
    # A float32 tensor keeps its dtype.
    minitorch.save({"c": a.to(minitorch.float32)}, path)
    assert minitorch.load_state_dict(path)["c"].dtype == minitorch.float32


def test_file_readable_as_safetensors_layout(tmp_path):
    path = tmp_path / "x.safetensors"
    minitorch.save({"x": tensor([1.5, -2.0])}, path)
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    assert header["x"]["dtype"] == "F64" and header["x"]["shape"] == [2]
    assert np.frombuffer(raw[8 + n:], dtype="<f8").tolist() == [1.5, -2.0]


def test_bad_input(tmp_path):
    with pytest.raises(TypeError, match="'w' is a float; expected a tensor"):
        minitorch.save({"w": 1.0}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="expected a minitorch.Module or a dict"):
        minitorch.save([tensor([1.0])], tmp_path / "x.safetensors")
    with pytest.raises(RuntimeError, match="missing"):
        minitorch.save({"w": tensor([1.0])}, tmp_path / "missing" / "x.safetensors")
    with pytest.raises(RuntimeError, match="not-there.safetensors"):
        minitorch.load_state_dict(tmp_path / "not-there.safetensors")
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"\x05\x00\x00\x00\x00\x00\x00\x00{}")
    with pytest.raises(RuntimeError, match="garbage.safetensors"):
        minitorch.load_state_dict(garbage)
    model = nn.Linear(2, 2)
    with pytest.raises(KeyError, match="missing keys"):
        model.load_state_dict({"weight": tensor([[1.0, 2.0], [3.0, 4.0]])})


def test_load_bad_run_directories(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such directory"):
        minitorch.load(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match="config.json does not exist"):
        minitorch.load(tmp_path)
    (tmp_path / "config.json").write_text('{"task": "2d"}')
    with pytest.raises(FileNotFoundError, match="model.safetensors does not exist"):
        minitorch.load(tmp_path)
    minitorch.save({"w": tensor([1.0])}, tmp_path / "model.safetensors")
    with pytest.raises(ValueError, match="metadata has no 'task'"):
        minitorch.load(tmp_path)


def cli():
    """The `minitorch` program of this build, or None (a build without the command line)."""
    build = os.environ.get("MINITORCH_BUILD_DIR")
    program = os.path.join(build, "minitorch") if build else None
    return program if program and os.access(program, os.X_OK) else None


@pytest.mark.skipif(cli() is None, reason="the minitorch command line is not built "
                    "(MINITORCH_BUILD_APP=OFF) or MINITORCH_BUILD_DIR is unset")
def test_load_a_trained_run_predicts_as_the_cli(tmp_path):
    run = tmp_path / "run"
    subprocess.run([cli(), "train", "--task", "2d", "--dataset", "xor", "--epochs", "30",
                    "--run-dir", str(run), "--threads", "1"], check=True, capture_output=True)
    points = ["0.1,0.9", "0.8,0.7", "0.5,0.5"]
    args = [cli(), "predict", "--run", str(run), "--json", "--top-k", "2"]
    for p in points:
        args += ["--point", p]
    expected = json.loads(subprocess.run(args, check=True, capture_output=True).stdout)

    model = minitorch.load(run)
    assert model.config["dataset"] == "xor" and model.card["model"] == "mlp2d"
    assert model.classes == ["0", "1"] and not model.training
    assert [n for n, _ in model.named_parameters()][0] == "layer1.weight"
    x = tensor([[float(v) for v in p.split(",")] for p in points])  # float64, converted
    probabilities = minitorch.softmax(model(model.normalize(x)), 1)
    for row, answer in enumerate(expected):
        for prediction in answer["predictions"]:
            assert probabilities[row, prediction["index"]] == pytest.approx(
                prediction["probability"], abs=1e-6)
    # The loaded weights are the file's, and saving them again gives the same tensors.
    minitorch.save(model, tmp_path / "again.safetensors")
    again = minitorch.load_state_dict(tmp_path / "again.safetensors")
    original = minitorch.load_state_dict(run / "model.safetensors")
    for name in original:
        assert_close(again[name], original[name].to_numpy(), 0.0)


@pytest.mark.skipif(cli() is None, reason="the minitorch command line is not built "
                    "(MINITORCH_BUILD_APP=OFF) or MINITORCH_BUILD_DIR is unset")
def test_load_a_lenet_run_predicts_as_the_cli(tmp_path):
    run = tmp_path / "lenet"
    trained = subprocess.run([cli(), "train", "--task", "fashion-mnist", "--model", "lenet",
                              "--train-samples", "64", "--epochs", "1", "--run-dir", str(run)],
                             capture_output=True, text=True)
    if trained.returncode != 0 and "Fashion-MNIST" in trained.stderr + trained.stdout:
        pytest.skip("Fashion-MNIST is not installed: " + trained.stderr.strip()[:200])
    assert trained.returncode == 0, trained.stderr
    pixels = np.random.RandomState(0).randint(0, 256, size=(28, 28)).astype(np.uint8)
    image = tmp_path / "image.pgm"
    image.write_bytes(b"P5\n28 28\n255\n" + pixels.tobytes())
    answer = json.loads(subprocess.run(
        [cli(), "predict", "--run", str(run), "--json", "--top-k", "10", str(image)],
        check=True, capture_output=True).stdout)[0]

    model = minitorch.load(run)
    assert model.card["model"] == "lenet" and len(model.classes) == 10
    assert [n for n, _ in model.named_parameters()][:2] == ["conv1.weight", "conv1.bias"]
    x = tensor((pixels / 255.0).reshape(1, 1, 28, 28))
    probabilities = minitorch.softmax(model(model.normalize(x)), 1)
    for prediction in answer["predictions"]:
        assert probabilities[0, prediction["index"]] == pytest.approx(
            prediction["probability"], abs=1e-5)
