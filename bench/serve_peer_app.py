"""The FastAPI + PyTorch peer of `minitorch serve`: the app a FastAPI user writes to serve our
trained image classifier, loaded from OUR checkpoint (RUN_DIR/model.safetensors) into the PyTorch
twin of the model. Started by bench/serve_peer.py (which sets SERVE_PEER_RUN_DIR and
SERVE_PEER_MODEL_NAME); each uvicorn worker process imports this module and loads its own model.

Endpoints, same semantics as ours:
  GET  /v2/health/live, /v2/health/ready
  POST /v2/models/{name}/infer   KServe V2 (Open Inference Protocol) request
       {"id": "...", "inputs": [{"name": "input", "shape": [B, C, H, W], "datatype": "FP32",
                                 "data": [flat or nested numbers in [0, 1]]}]}
       -> {"model_name", "id", "outputs": [probabilities FP32 [B, K], class INT64 [B],
                                           label BYTES [B]]}
       400 {"error": "..."} on a bad request, 404 on an unknown model.

Choices, each the fast one a FastAPI user would make (the peer is not crippled):
- The request is declared with pydantic models, as FastAPI's documentation teaches, so FastAPI
  parses and checks its envelope (id, inputs, name, shape, datatype). Its `data` is a plain
  `list`: a typed `List[float]` would make pydantic 1.10 (pure Python in Debian) check 784 floats
  one by one per image, and nested data (allowed by V2) has no single element type; NumPy converts
  and checks the numbers in C instead.
- The handler is `async def` and computes inline: one compute thread per worker, like our
  `--threads N` with N workers (a plain `def` handler would hop to a 40-thread pool, adding a
  thread switch per request and letting several requests compute at once beyond N threads).
  torch.set_num_threads(1) in every worker for the same reason.
- Answers go out through JSONResponse (skipping jsonable_encoder, FastAPI's documented fast path).
- torch.inference_mode() and model.eval(); validation errors answer 400 {"error"} like ours,
  instead of FastAPI's default 422.
"""
import json
import math
import os
import sys
from pathlib import Path
from typing import List, Optional

import numpy as np
import torch
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

# The PyTorch twins of our models and the safetensors reader live with the checkpoint tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "torch"))
from check_checkpoints import TWINS, read_safetensors  # noqa: E402

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:  # already set in this process
    pass

DATATYPES = {"FP32": np.float32, "FP64": np.float64}


class InferInput(BaseModel):
    name: str
    shape: List[int]
    datatype: str
    data: list


class InferRequest(BaseModel):
    id: Optional[str] = None
    inputs: List[InferInput]


class BadRequest(Exception):
    pass


class ServedModel:
    """The model of one run directory: the twin with our weights, its card's preprocessing."""

    def __init__(self, run_dir, name):
        weights, metadata = read_safetensors(Path(run_dir) / "model.safetensors")
        kind = metadata.get("model")
        if metadata.get("input") != "image" or kind not in TWINS:
            raise SystemExit(f"{run_dir}: model '{kind}' (input '{metadata.get('input')}'); "
                             "this peer serves the image models " + ", ".join(TWINS))
        self.name = name
        self.net = TWINS[kind]().eval()
        self.net.load_state_dict(weights, strict=True)
        self.classes = json.loads(metadata["classes"])
        self.input_shape = json.loads(metadata["input_shape"])  # [C, H, W]
        self.mean = float(metadata["normalize_mean"])
        self.std = float(metadata["normalize_std"])

    def images(self, request: InferRequest) -> np.ndarray:
        """The request's one input as a float32 [B, C, H, W] array; BadRequest if it is not one."""
        if len(request.inputs) != 1:
            raise BadRequest(f"the request has {len(request.inputs)} inputs; expected 1 ('input')")
        tensor = request.inputs[0]
        expected = "[B, " + ", ".join(map(str, self.input_shape)) + "]"
        if tensor.name != "input":
            raise BadRequest(f"input '{tensor.name}' is unknown; expected 'input'")
        if tensor.datatype not in DATATYPES:
            raise BadRequest(f"input datatype {tensor.datatype}; expected FP32 or FP64")
        if len(tensor.shape) != 4 or tensor.shape[1:] != self.input_shape or tensor.shape[0] < 1:
            raise BadRequest(f"input shape {tensor.shape}; expected {expected} with B >= 1")
        try:
            values = np.asarray(tensor.data, dtype=DATATYPES[tensor.datatype])
        except (TypeError, ValueError) as e:
            raise BadRequest(f"input data is not a (nested) list of numbers: {e}") from None
        count = math.prod(tensor.shape)
        if values.size != count:
            raise BadRequest(f"input data has {values.size} values; shape {tensor.shape} "
                             f"needs {count}")
        if not np.isfinite(values).all():
            raise BadRequest("input data holds NaN or infinite values; expected finite numbers")
        return values.reshape(tensor.shape).astype(np.float32, copy=False)

    def infer(self, images: np.ndarray):
        with torch.inference_mode():
            x = (torch.from_numpy(images) - self.mean) / self.std
            probabilities = torch.softmax(self.net(x), dim=1)
            classes = probabilities.argmax(dim=1)
        return probabilities.numpy(), classes.numpy()


model = ServedModel(os.environ["SERVE_PEER_RUN_DIR"], os.environ["SERVE_PEER_MODEL_NAME"])
app = FastAPI(title="FastAPI + PyTorch peer of minitorch serve")


def error(status, message):
    return JSONResponse({"error": message}, status_code=status)


@app.exception_handler(RequestValidationError)
async def bad_request(request: Request, exc: RequestValidationError):
    return error(400, f"the request does not follow the V2 infer schema: {exc.errors()}")


@app.exception_handler(HTTPException)
async def http_error(request: Request, exc: HTTPException):  # 404, 405, unparsable JSON
    return error(exc.status_code, str(exc.detail))


@app.get("/v2/health/live")
async def live():
    return {"live": True}


@app.get("/v2/health/ready")
async def ready():
    return {"ready": True}


@app.post("/v2/models/{name}/infer")
async def infer(name: str, request: InferRequest):
    if name != model.name:
        return error(404, f"model '{name}' is unknown; expected '{model.name}'")
    try:
        images = model.images(request)
    except BadRequest as e:
        return error(400, str(e))
    probabilities, classes = model.infer(images)
    batch = images.shape[0]
    answer = {"model_name": model.name}
    if request.id is not None:
        answer["id"] = request.id
    answer["outputs"] = [
        {"name": "probabilities", "shape": [batch, len(model.classes)], "datatype": "FP32",
         "data": probabilities.ravel().tolist()},
        {"name": "class", "shape": [batch], "datatype": "INT64", "data": classes.tolist()},
        {"name": "label", "shape": [batch], "datatype": "BYTES",
         "data": [model.classes[c] for c in classes]},
    ]
    return JSONResponse(answer)
