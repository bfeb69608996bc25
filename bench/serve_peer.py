#!/usr/bin/python3
"""The peer of `minitorch serve` for bench/serve.sh: FastAPI + uvicorn + PyTorch serving OUR
trained checkpoint (the app: bench/serve_peer_app.py).

Usage:  /usr/bin/python3 bench/serve_peer.py --run RUN_DIR [--name NAME] [--host 127.0.0.1]
                                             [--port 0] [--workers N]
(Debian's python3-torch, python3-fastapi and python3-uvicorn are importable only under
/usr/bin/python3.)

Like `minitorch serve`: the model's name defaults to the run directory's name, `--port 0` picks a
free port, and one line with the address (`http://HOST:PORT`) is printed on stdout; the server
answers once GET /v2/health/ready says 200 (the workers load the model after that line). N uvicorn
worker processes, each computing on one PyTorch thread: N threads in all, like our `--threads N`.
SIGTERM or SIGINT stops it (uvicorn stops its workers).

This launcher imports neither torch nor FastAPI: with --workers N > 1 the uvicorn master only
supervises, as under `uvicorn app:app --workers N`, and only the workers hold the model.
"""
import argparse
import os
import socket
import sys
from pathlib import Path

import uvicorn


def free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", required=True, help="run directory holding model.safetensors")
    ap.add_argument("--name", help="model name (default: the run directory's name)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080, help="0: a free port")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = ap.parse_args()
    run_dir = Path(args.run).resolve()
    if not (run_dir / "model.safetensors").is_file():
        ap.error(f"--run {args.run}: no model.safetensors there; expected a training run directory")
    if args.workers < 1:
        ap.error(f"--workers {args.workers}; expected an integer >= 1")
    port = args.port or free_port(args.host)
    # The workers (spawned processes) read their configuration from the environment.
    os.environ["SERVE_PEER_RUN_DIR"] = str(run_dir)
    os.environ["SERVE_PEER_MODEL_NAME"] = args.name or run_dir.name
    os.environ["OMP_NUM_THREADS"] = "1"
    print(f"serving {os.environ['SERVE_PEER_MODEL_NAME']} on http://{args.host}:{port} "
          f"({args.workers} worker(s))", flush=True)
    # uvloop + httptools when installed (uvicorn's "standard" set, what its docs recommend for
    # production); no access log, the default a production deployment turns off for speed.
    uvicorn.run("serve_peer_app:app", app_dir=str(Path(__file__).resolve().parent),
                host=args.host, port=port, workers=args.workers, log_level="warning",
                access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
