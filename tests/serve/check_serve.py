#!/usr/bin/python3
"""End-to-end test of `minitorch serve`: trains a small LeNet-5 (Fashion-MNIST) and a TextCNN
(spam) once, serves them and checks, over real HTTP, what the server promises:

  1. openapi      GET /openapi.json is an OpenAPI 3.1 document whose schemas are valid; every
                  request below is checked against it (request bodies sent expecting success and
                  every response body, by path template, method and status code).
  2. v2           the Open Inference Protocol: health, metadata, infer (flat / nested data, FP64,
                  id, a subset of outputs, BYTES texts and INT64 tokens).
  3. predict      /predict answers exactly what `minitorch predict --json` prints, for PNG, PGM,
                  multipart uploads, top_k, resize and texts.
  4. errors       each bad request gets its status and a JSON error naming the problem; good
                  requests are answered correctly afterwards.
  5. auth         --token-file: 401 with WWW-Authenticate without the right bearer token.
  6. metrics      the Prometheus exposition parses and counts what was sent.
  7. log          --log-file: one JSON line per request; X-Request-Id is echoed.
  8. concurrency  32 clients with different images get the answers of each image sent alone while
                  bad requests arrive; some requests were batched together.
  9. repository   index, unload, load, and reloads while requests are in flight.
 10. shutdown     SIGTERM / SIGINT: in-flight requests are answered, the process exits 0.
 11. slow         a stalled client blocks nobody and is dropped after the read timeout; 500
                  connections at once are all answered.

Usage: check_serve.py --cli PATH/minitorch --work-dir SCRATCH
Exit status: 0 every check passed, 1 a check failed (each failure is printed with its check),
77 a required Debian Python module is missing.
"""

import argparse
import calendar
import collections
import gzip
import hashlib
import http.client
import json
import os
import re
import resource
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zlib

try:
    import jsonschema
    import numpy as np
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as missing:
    print(f"SKIP: {missing}; this test needs Debian's python3-jsonschema, "
          "python3-prometheus-client and python3-numpy")
    sys.exit(77)

FASHION_TEST_IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
SPAM_TEXTS = ["WIN free money now!!! Click here to claim your prize, offer ends today",
              "Hi team, the meeting is moved to Thursday afternoon, see you there"]
TOKEN = "s3cr3t-Token_for.tests"
# Batched and alone, a request's probabilities agree to this (and its classes exactly).
BATCH_TOLERANCE = 1e-6


# ------------------------------------------------------------------------------------------------
# Failures: each is printed at once with the check it belongs to; a check goes on after a failed
# expectation (to show every problem) and stops at a failed requirement.

class CheckFailed(Exception):
    pass


class Report:
    def __init__(self):
        self.failures = []
        self.lock = threading.Lock()
        self.check = "setup"

    def fail(self, message):
        with self.lock:
            self.failures.append((self.check, message))
        print(f"FAIL [{self.check}] {message}", flush=True)

    def expect(self, condition, message):
        if not condition:
            self.fail(message)
        return bool(condition)


REPORT = Report()


def expect(condition, message):
    return REPORT.expect(condition, message)


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def excerpt(data, limit=300):
    text = data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else str(data)
    return text if len(text) <= limit else text[:limit] + "..."


# ------------------------------------------------------------------------------------------------
# Images and texts

def load_fashion_images(count):
    with gzip.open(FASHION_TEST_IMAGES, "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        require(magic == 2051 and rows == 28 and cols == 28,
                f"{FASHION_TEST_IMAGES}: not IDX images of 28x28")
        count = min(count, n)
        return np.frombuffer(f.read(count * rows * cols), dtype=np.uint8).reshape(count, rows, cols)


def png_bytes(pixels):
    height, width = pixels.shape
    raw = b"".join(b"\x00" + pixels[y].astype(np.uint8).tobytes() for y in range(height))

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data +
                struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def pgm_bytes(pixels):
    height, width = pixels.shape
    return f"P5\n{width} {height}\n255\n".encode() + pixels.astype(np.uint8).tobytes()


def pixel_values(images):
    """Pixels as the server's image decoding makes them (float32 p * (1/255)), as exact doubles."""
    scaled = images.astype(np.float32) * np.float32(1.0 / 255.0)
    return scaled.astype(np.float64)


def infer_body(images, datatype="FP32", nested=False, request_id=None, outputs=None):
    values = pixel_values(images).reshape(len(images), 1, 28, 28)
    body = {"inputs": [{"name": "input", "shape": [len(images), 1, 28, 28], "datatype": datatype,
                        "data": values.tolist() if nested else values.reshape(-1).tolist()}]}
    if request_id is not None:
        body["id"] = request_id
    if outputs is not None:
        body["outputs"] = [{"name": name} for name in outputs]
    return body


def multipart(files):
    boundary = "----minitorch-check-serve-5f2a9c"
    body = b""
    for field, filename, content_type, data in files:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                 f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
        body += data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def token_ids(text, vocabulary, length):
    """The tokeniser on plain words (no digits, addresses or URLs): lower-cased alphanumeric
    runs, unknown words <unk> (1), padded with <pad> (0)."""
    ids = [vocabulary.get(word, 1) for word in re.findall(r"[A-Za-z0-9]+", text.lower())]
    return (ids + [0] * length)[:length]


# ------------------------------------------------------------------------------------------------
# The OpenAPI document and validation against it

class OpenApi:
    def __init__(self, document):
        self.document = document
        self.local = threading.local()  # a RefResolver keeps a scope stack: one per thread
        self.templates = []
        for template in document.get("paths", {}):
            pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            self.templates.append((re.compile(pattern), template))
        self.validated_requests = set()
        self.lock = threading.Lock()

    def resolver(self):
        if not hasattr(self.local, "resolver"):
            self.local.resolver = jsonschema.RefResolver.from_schema(self.document)
        return self.local.resolver

    def deref(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            node = self.resolver().resolve(node["$ref"])[1]
            seen += 1
            require(seen < 20, "/openapi.json: a cycle of $refs")
        return node

    def template(self, path):
        path = path.split("?", 1)[0]
        for pattern, template in self.templates:
            if pattern.match(path):
                return template
        return None

    def operation(self, method, path):
        template = self.template(path)
        if template is None:
            return None, None
        return template, self.document["paths"][template].get(method.lower())

    def schema_errors(self, instance, schema):
        validator = jsonschema.Draft202012Validator(schema, resolver=self.resolver())
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path)
        return f"{error.message[:200]} (at /{where})"

    def check_request(self, method, path, content_type, body):
        template, operation = self.operation(method, path)
        what = f"request {method} {path}"
        if not expect(operation is not None, f"{what}: /openapi.json has no such operation"):
            return
        request_body = self.deref(operation.get("requestBody", {}))
        content = request_body.get("content", {})
        if not body:
            expect(not request_body.get("required"),
                   f"{what}: no body, but /openapi.json says {template} requires one")
            return
        media = content_type.split(";")[0].strip().lower()
        if not expect(media in content, f"{what}: Content-Type {media} is not among the request "
                      f"bodies {sorted(content)} that /openapi.json documents for {template}"):
            return
        if media != "application/json":
            return
        key = (template, hashlib.sha256(body).hexdigest())
        with self.lock:
            if key in self.validated_requests:
                return
        problem = self.schema_errors(json.loads(body), content[media].get("schema", {}))
        if expect(problem is None, f"{what}: the request body does not match the requestBody "
                  f"schema of {template}: {problem}"):
            with self.lock:
                self.validated_requests.add(key)

    def check_response(self, method, path, status, content_type, body, documented=True):
        """documented=False: a request the document cannot describe (an unknown path, a method
        the path does not have): its body must still be the Error schema."""
        what = f"{method} {path} -> {status}"
        template, operation = self.operation(method, path)
        if operation is None:
            if documented:
                REPORT.fail(f"{what}: /openapi.json has no operation for {method} {path}")
                return
            schema = {"$ref": "#/components/schemas/Error"}
            media = "application/json"
        else:
            if not documented:
                REPORT.fail(f"{what}: expected an undocumented request, but /openapi.json has "
                            f"{method} {template}")
            responses = operation.get("responses", {})
            entry = (responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or
                     responses.get("default"))
            if entry is None:
                REPORT.fail(f"{what}: /openapi.json documents no response {status} for "
                            f"{method.lower()} {template} (it has {sorted(responses)}); "
                            f"body: {excerpt(body)}")
                return
            entry = self.deref(entry)
            content = entry.get("content")
            if not content:
                expect(not body, f"{what}: documented without content, but the body is "
                       f"{excerpt(body)}")
                return
            media = (content_type or "").split(";")[0].strip().lower()
            if media not in content:
                REPORT.fail(f"{what}: Content-Type '{content_type}' is not among {sorted(content)} "
                            f"that /openapi.json documents for this response")
                return
            schema = content[media].get("schema", {})
        if media != "application/json":
            return
        try:
            instance = json.loads(body)
        except ValueError as e:
            REPORT.fail(f"{what}: the body is not JSON ({e}): {excerpt(body)}")
            return
        problem = self.schema_errors(instance, schema)
        expect(problem is None, f"{what}: the body does not match the schema /openapi.json gives "
               f"({json.dumps(schema)[:120]}): {problem}; body: {excerpt(body)}")


OPENAPI = None  # set by the openapi check from the main server's document


# ------------------------------------------------------------------------------------------------
# HTTP

class Response:
    def __init__(self, method, path, status, headers, body):
        self.method, self.path, self.status, self.headers, self.body = (
            method, path, status, headers, body)

    def header(self, name):
        return self.headers.get(name)

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            raise CheckFailed(f"{self.method} {self.path} -> {self.status}: the body is not JSON: "
                              f"{excerpt(self.body)}")

    def describe(self):
        return f"{self.method} {self.path} -> {self.status} {excerpt(self.body)}"


# The metrics label of each route: (pattern, endpoint, takes a model name, methods it answers).
ROUTES = [
    (r"/v2/health/live", "live", False, {"GET"}),
    (r"/v2/health/ready", "ready", False, {"GET"}),
    (r"/v2", "server_metadata", False, {"GET"}),
    (r"/v2/models/([A-Za-z0-9_.-]+)", "model_metadata", True, {"GET"}),
    (r"/v2/models/([A-Za-z0-9_.-]+)/ready", "model_ready", True, {"GET"}),
    (r"/v2/models/([A-Za-z0-9_.-]+)/infer", "infer", True, {"POST"}),
    (r"/v2/models/([A-Za-z0-9_.-]+)/predict", "predict", True, {"POST"}),
    (r"/v2/repository/index", "repository_index", False, {"POST"}),
    (r"/v2/repository/models/([A-Za-z0-9_.-]+)/load", "load", True, {"POST"}),
    (r"/v2/repository/models/([A-Za-z0-9_.-]+)/unload", "unload", True, {"POST"}),
    (r"/metrics", "metrics", False, {"GET"}),
    (r"/openapi.json", "openapi", False, {"GET"}),
]


def metric_labels(method, path, status):
    """(model, endpoint) as the server's metrics label a request."""
    path = path.split("?", 1)[0]
    for pattern, endpoint, named, methods in ROUTES:
        match = re.fullmatch(pattern, path)
        if match:
            model = match.group(1) if named and method in methods and status != 401 else ""
            return model, endpoint
    return "", "other"


class Api:
    """A client of one server; every answer is checked against /openapi.json and recorded."""

    def __init__(self, port, token=None):
        self.port = port
        self.token = token
        self.sent = []  # (method, path, status, response X-Request-Id)
        self.lock = threading.Lock()

    def record(self, method, path, status, request_id):
        with self.lock:
            self.sent.append((method, path, status, request_id))

    def request(self, method, path, body=None, content_type=None, headers=None, token=None,
                documented=True, validate_request=False, timeout=60):
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            content_type = content_type or "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        token = self.token if token is None else token
        if token:
            headers.setdefault("Authorization", f"Bearer {token}")
        if validate_request and OPENAPI is not None:
            OPENAPI.check_request(method, path, content_type or "", body or b"")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(method, path, answer.status, answer.headers, answer.read())
        finally:
            connection.close()
        self.record(method, path, response.status, response.header("X-Request-Id"))
        if OPENAPI is not None:
            OPENAPI.check_response(method, path, response.status, response.header("Content-Type"),
                                   response.body, documented)
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def expect_status(self, status, method, path, body=None, **kw):
        """A request expected to answer `status`; successful JSON requests are validated too."""
        if status == 200:
            kw.setdefault("validate_request", True)
        response = self.request(method, path, body, **kw)
        expect(response.status == status,
               f"{method} {path}: expected status {status}, got {response.status}: "
               f"{excerpt(response.body)}")
        return response

    def ok(self, method, path, body=None, **kw):
        response = self.expect_status(200, method, path, body, **kw)
        require(response.status == 200, f"{method} {path} failed: {response.describe()}")
        return response

    def expect_error(self, status, keywords, method, path, body=None, case=None, **kw):
        """A bad request: `status` and {"error": "..."} naming every keyword (case-insensitive)."""
        response = self.request(method, path, body, **kw)
        what = f"{method} {path}" + (f" with {case}" if case else "")
        if not expect(response.status == status, f"{what}: expected status {status}, got "
                      f"{response.status}: {excerpt(response.body)}"):
            return response
        content_type = (response.header("Content-Type") or "").split(";")[0]
        expect(content_type == "application/json",
               f"{what}: the error's Content-Type is '{content_type}', expected application/json")
        try:
            error = json.loads(response.body)
        except ValueError:
            REPORT.fail(f"{what}: the error body is not JSON: {excerpt(response.body)}")
            return response
        if not expect(isinstance(error, dict) and list(error) == ["error"] and
                      isinstance(error["error"], str) and error["error"],
                      f"{what}: expected a body {{\"error\": \"...\"}}, got "
                      f"{excerpt(response.body)}"):
            return response
        for keyword in keywords:
            expect(keyword.lower() in error["error"].lower(),
                   f"{what}: the error message does not name '{keyword}': {error['error']!r}")
        return response


# ------------------------------------------------------------------------------------------------
# Processes

SERVERS = []


class Server:
    def __init__(self, cli, work, name, runs, *extra):
        self.name = name
        self.stdout_lines = []
        self.stderr_path = os.path.join(work, f"{name}-{len(SERVERS)}.stderr")
        command = [cli, "serve"]
        for run in runs:
            command += ["--run", run]
        command += ["--port", "0", *extra]
        self.command = command
        with open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr,
                                            stdin=subprocess.DEVNULL)
        SERVERS.append(self)
        self.ready = threading.Event()
        self.port = None
        threading.Thread(target=self.read_stdout, daemon=True).start()
        if not self.ready.wait(30) or self.port is None:
            self.kill()
            raise CheckFailed(f"server {name} did not print its address within 30 s: "
                              f"{' '.join(command)}\nstdout: {self.stdout_lines}\n"
                              f"stderr: {self.stderr()}")
        self.api = Api(self.port)

    def read_stdout(self):
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace")
            self.stdout_lines.append(line)
            match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if match and self.port is None:
                self.port = int(match.group(1))
                self.ready.set()
        self.ready.set()

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return excerpt(f.read(), 2000)
        except OSError:
            return ""

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            pass

    def stop(self, signum=signal.SIGTERM, timeout=10):
        """Signals the server and returns (exit status or None when it did not exit, seconds)."""
        start = time.monotonic()
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            code = None
            self.kill()
        return code, time.monotonic() - start


def run_cli(cli, *args, timeout=300):
    result = subprocess.run([cli, *args], capture_output=True, timeout=timeout)
    require(result.returncode == 0, f"minitorch {' '.join(args)} failed ({result.returncode}): "
            f"{excerpt(result.stderr, 2000)}")
    return result.stdout.decode()


def cli_predictions(cli, *args):
    return json.loads(run_cli(cli, "predict", *args, "--json"))


# ------------------------------------------------------------------------------------------------
# Answers

def outputs_by_name(answer):
    return {output["name"]: output for output in answer.get("outputs", [])}


def check_infer_answer(answer, classes, rows, what):
    """Probabilities [rows, classes] summing to 1, class their argmax, label its name."""
    outputs = outputs_by_name(answer)
    require(set(outputs) == {"probabilities", "class", "label"},
            f"{what}: outputs {sorted(outputs)}, expected probabilities, class and label")
    p = outputs["probabilities"]
    require(p["shape"] == [rows, len(classes)] and p["datatype"] == "FP32" and
            len(p["data"]) == rows * len(classes),
            f"{what}: probabilities {p['datatype']} {p['shape']} with {len(p['data'])} values; "
            f"expected FP32 [{rows}, {len(classes)}]")
    probabilities = np.array(p["data"], dtype=np.float64).reshape(rows, len(classes))
    expect(outputs["class"]["shape"] == [rows] and outputs["class"]["datatype"] == "INT64",
           f"{what}: class output {outputs['class']['datatype']} {outputs['class']['shape']}")
    expect(outputs["label"]["shape"] == [rows] and outputs["label"]["datatype"] == "BYTES",
           f"{what}: label output {outputs['label']['datatype']} {outputs['label']['shape']}")
    for row in range(rows):
        total = probabilities[row].sum()
        expect(abs(total - 1.0) < 1e-5, f"{what}: row {row}'s probabilities sum to {total}")
        expect(bool((probabilities[row] >= 0).all() and (probabilities[row] <= 1).all()),
               f"{what}: row {row} has probabilities outside [0, 1]: {probabilities[row]}")
        best = int(np.argmax(probabilities[row]))
        expect(outputs["class"]["data"][row] == best,
               f"{what}: row {row}'s class is {outputs['class']['data'][row]}, the argmax of its "
               f"probabilities is {best}")
        index = outputs["class"]["data"][row]
        expect(outputs["label"]["data"][row] == classes[index],
               f"{what}: row {row}'s label {outputs['label']['data'][row]!r} is not the name of "
               f"class {index} ({classes[index]!r})")
    return probabilities


def float32s(values):
    return np.array(values, dtype=np.float32)


def same_predictions(server_entry, cli_entry, what):
    got = [(p["class"], p["index"], p["probability"]) for p in server_entry["predictions"]]
    want = [(p["class"], p["index"], p["probability"]) for p in cli_entry["predictions"]]
    return expect(got == want, f"{what}: the server predicts {got}, `minitorch predict` {want}")


# ------------------------------------------------------------------------------------------------
# The checks

class Context:
    pass


def check_openapi(ctx):
    global OPENAPI
    api = ctx.main.api
    response = api.get("/openapi.json")
    require(response.status == 200, f"GET /openapi.json: {response.describe()}")
    require((response.header("Content-Type") or "").startswith("application/json"),
            f"GET /openapi.json: Content-Type {response.header('Content-Type')}")
    document = response.json()
    require(isinstance(document, dict), "/openapi.json is not a JSON object")
    expect(re.fullmatch(r"3\.1\.\d+", str(document.get("openapi", ""))),
           f"/openapi.json: openapi is {document.get('openapi')!r}, expected 3.1.x")
    info = document.get("info", {})
    expect(isinstance(info.get("title"), str) and isinstance(info.get("version"), str) and
           "@" not in info.get("version", "@"),
           f"/openapi.json: info.title / info.version missing or unconfigured: {info}")
    schemas = document.get("components", {}).get("schemas", {})
    require(schemas, "/openapi.json has no components.schemas")
    for name, schema in schemas.items():
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            REPORT.fail(f"/openapi.json: components.schemas.{name} is not a valid JSON Schema "
                        f"2020-12: {e.message}")
    OPENAPI = OpenApi(document)

    # Every $ref resolves and every inline schema is valid.
    def walk(node, where):
        if isinstance(node, dict):
            if "$ref" in node:
                try:
                    OPENAPI.resolver().resolve(node["$ref"])
                except jsonschema.exceptions.RefResolutionError as e:
                    REPORT.fail(f"/openapi.json: {where}: $ref {node['$ref']} does not "
                                f"resolve: {e}")
            if "schema" in node and isinstance(node["schema"], dict):
                try:
                    jsonschema.Draft202012Validator.check_schema(node["schema"])
                except jsonschema.exceptions.SchemaError as e:
                    REPORT.fail(f"/openapi.json: {where}.schema is not a valid schema: {e.message}")
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(document, "")
    promised = {("/v2/health/live", "get"), ("/v2/health/ready", "get"), ("/v2", "get"),
                ("/v2/models/{name}", "get"), ("/v2/models/{name}/ready", "get"),
                ("/v2/models/{name}/infer", "post"), ("/v2/models/{name}/predict", "post"),
                ("/v2/repository/index", "post"), ("/v2/repository/models/{name}/load", "post"),
                ("/v2/repository/models/{name}/unload", "post"), ("/metrics", "get"),
                ("/openapi.json", "get")}
    paths = document.get("paths", {})
    for path, method in sorted(promised):
        expect(method in paths.get(path, {}), f"/openapi.json does not describe {method} {path}")
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete", "options", "head"):
                continue
            expect(operation.get("responses"), f"/openapi.json: {method} {path} has no responses")
            for status in operation.get("responses", {}):
                expect(re.fullmatch(r"[1-5](\d\d|XX)|default", status),
                       f"/openapi.json: {method} {path} has a response key {status!r}")
            declared = {OPENAPI.deref(p).get("name") for p in operation.get("parameters", [])
                        if OPENAPI.deref(p).get("in") == "path"}
            for name in re.findall(r"\{([^}]+)\}", path):
                expect(name in declared, f"/openapi.json: {method} {path} does not declare its "
                       f"path parameter {name}")


def check_v2(ctx):
    api = ctx.main.api
    live = api.ok("GET", "/v2/health/live").json()
    expect(live == {"live": True}, f"GET /v2/health/live: {live}")
    ready = api.ok("GET", "/v2/health/ready").json()
    expect(ready == {"ready": True}, f"GET /v2/health/ready: {ready}")
    server = api.ok("GET", "/v2").json()
    expect(server.get("name") == "minitorch" and "model_repository" in server.get("extensions", []),
           f"GET /v2: {server}")

    meta = api.ok("GET", "/v2/models/fm").json()
    expect(meta.get("name") == "fm", f"GET /v2/models/fm: name {meta.get('name')!r}")
    expect([(i["name"], i["datatype"], i["shape"]) for i in meta.get("inputs", [])] ==
           [("input", "FP32", [-1, 1, 28, 28])], f"GET /v2/models/fm: inputs {meta.get('inputs')}")
    expect([(o["name"], o["datatype"], o["shape"]) for o in meta.get("outputs", [])] ==
           [("probabilities", "FP32", [-1, 10]), ("class", "INT64", [-1]),
            ("label", "BYTES", [-1])], f"GET /v2/models/fm: outputs {meta.get('outputs')}")
    classes = meta.get("parameters", {}).get("classes", [])
    require(len(classes) == 10, f"GET /v2/models/fm: classes {classes}, expected 10 names")
    expect(classes[0] == "T-shirt/top" and classes[9] == "Ankle boot",
           f"GET /v2/models/fm: class names {classes} are not Fashion-MNIST's")
    ctx.fm_classes = classes
    model_ready = api.ok("GET", "/v2/models/fm/ready").json()
    expect(model_ready == {"name": "fm", "ready": True}, f"GET /v2/models/fm/ready: {model_ready}")

    images = ctx.images[:3]
    flat = api.ok("POST", "/v2/models/fm/infer", infer_body(images, request_id="req-42")).json()
    expect(flat.get("id") == "req-42", f"infer: id {flat.get('id')!r}, expected 'req-42' echoed")
    expect(flat.get("model_name") == "fm", f"infer: model_name {flat.get('model_name')!r}")
    probabilities = check_infer_answer(flat, classes, 3, "infer FP32 flat")
    nested = api.ok("POST", "/v2/models/fm/infer", infer_body(images, nested=True)).json()
    expect("id" not in nested, f"infer without id answers id {nested.get('id')!r}")
    expect(outputs_by_name(nested) == outputs_by_name(flat),
           "infer: nested data answers differently from the same data flat")
    fp64 = api.ok("POST", "/v2/models/fm/infer", infer_body(images, datatype="FP64")).json()
    expect(outputs_by_name(fp64) == outputs_by_name(flat),
           "infer: FP64 data answers differently from the same (float32-exact) data as FP32")
    for names in (["label"], ["class", "probabilities"]):
        subset = api.ok("POST", "/v2/models/fm/infer", infer_body(images, outputs=names)).json()
        got = [o["name"] for o in subset.get("outputs", [])]
        expect(got == names, f"infer with outputs {names}: answered {got}")
        for output in subset.get("outputs", []):
            expect(output == outputs_by_name(flat).get(output["name"]),
                   f"infer with outputs {names}: {output['name']} differs from the full answer")
    ctx.fm_reference = {i: float32s(probabilities[i]) for i in range(3)}

    # The text model: BYTES texts, and the same texts as INT64 token ids.
    meta = api.ok("GET", "/v2/models/spam").json()
    inputs = {i["name"]: i for i in meta.get("inputs", [])}
    require(set(inputs) == {"text", "tokens"}, f"GET /v2/models/spam: inputs {meta.get('inputs')}")
    expect(inputs["text"]["datatype"] == "BYTES" and inputs["text"]["shape"] == [-1],
           f"GET /v2/models/spam: text input {inputs['text']}")
    length = inputs["tokens"]["shape"][1]
    expect(inputs["tokens"]["datatype"] == "INT64" and inputs["tokens"]["shape"] == [-1, 64],
           f"GET /v2/models/spam: tokens input {inputs['tokens']}, expected INT64 [-1, 64]")
    spam_classes = meta.get("parameters", {}).get("classes", [])
    expect(spam_classes == ["ham", "spam"], f"GET /v2/models/spam: classes {spam_classes}")
    text_body = {"id": "texts", "inputs": [{"name": "text", "datatype": "BYTES",
                                            "shape": [len(SPAM_TEXTS)], "data": SPAM_TEXTS}]}
    by_text = api.ok("POST", "/v2/models/spam/infer", text_body).json()
    text_p = check_infer_answer(by_text, spam_classes, len(SPAM_TEXTS), "infer BYTES texts")
    ids = [token_ids(text, ctx.vocabulary, length) for text in SPAM_TEXTS]
    expect(any(1 < i for row in ids for i in row), f"the test texts have no known word: {ids}")
    tokens_body = {"inputs": [{"name": "tokens", "datatype": "INT64",
                               "shape": [len(ids), length], "data": ids}]}
    by_tokens = api.ok("POST", "/v2/models/spam/infer", tokens_body).json()
    check_infer_answer(by_tokens, spam_classes, len(SPAM_TEXTS), "infer INT64 tokens")
    expect(outputs_by_name(by_tokens) == outputs_by_name(by_text),
           f"infer: the texts' token ids {[r[:8] for r in ids]}... answer differently from the "
           f"texts themselves")
    ctx.spam_reference = text_p


def check_predict(ctx):
    api, cli, work = ctx.main.api, ctx.cli, ctx.work
    a, b = ctx.images[0], ctx.images[1]
    big = np.kron(ctx.images[2], np.ones((2, 2), dtype=np.uint8))
    files = {"a.png": png_bytes(a), "b.pgm": pgm_bytes(b), "big.png": png_bytes(big)}
    for name, data in files.items():
        with open(os.path.join(work, name), "wb") as f:
            f.write(data)
    path = lambda name: os.path.join(work, name)  # noqa: E731
    cli_ab = cli_predictions(cli, "--run", ctx.fm_run, path("a.png"), path("b.pgm"))
    cli_top5 = cli_predictions(cli, "--run", ctx.fm_run, "--top-k", "5", path("a.png"))
    cli_big = cli_predictions(cli, "--run", ctx.fm_run, "--resize", path("big.png"))
    require(len(cli_ab) == 2 and len(cli_ab[0]["predictions"]) == 3,
            f"minitorch predict --json printed {cli_ab}")

    raw_png = api.ok("POST", "/v2/models/fm/predict", files["a.png"],
                     content_type="image/png").json()
    require(len(raw_png) == 1, f"predict PNG: {raw_png}")
    same_predictions(raw_png[0], cli_ab[0], "predict a raw PNG body")
    raw_pgm = api.ok("POST", "/v2/models/fm/predict", files["b.pgm"],
                     content_type="image/x-portable-graymap").json()
    require(len(raw_pgm) == 1, f"predict PGM: {raw_pgm}")
    same_predictions(raw_pgm[0], cli_ab[1], "predict a raw PGM body")

    body, content_type = multipart([("image1", "a.png", "image/png", files["a.png"]),
                                    ("image2", "b.pgm", "image/x-portable-graymap",
                                     files["b.pgm"])])
    uploaded = api.ok("POST", "/v2/models/fm/predict", body, content_type=content_type).json()
    inputs = [entry.get("input") for entry in uploaded]
    expect(inputs == ["a.png", "b.pgm"], f"predict multipart: inputs {inputs}, expected the "
           f"file names in upload order")
    for entry in uploaded:
        if entry.get("input") in ("a.png", "b.pgm"):
            same_predictions(entry, cli_ab[0 if entry["input"] == "a.png" else 1],
                             f"predict multipart {entry['input']}")

    top5 = api.ok("POST", "/v2/models/fm/predict?top_k=5", files["a.png"],
                  content_type="image/png").json()
    expect(len(top5[0]["predictions"]) == 5, f"predict ?top_k=5: {top5}")
    same_predictions(top5[0], cli_top5[0], "predict ?top_k=5")
    resized = api.ok("POST", "/v2/models/fm/predict?resize=1", files["big.png"],
                     content_type="image/png").json()
    same_predictions(resized[0], cli_big[0], "predict ?resize=1 of a 56x56 PNG")
    api.expect_error(400, ["56x56", "28x28", "resize"], "POST", "/v2/models/fm/predict",
                     files["big.png"], content_type="image/png")

    # The V2 answer for the same image is the same model on the same pixels.
    top = {p["index"]: p["probability"] for p in top5[0]["predictions"]}
    reference = ctx.fm_reference[0]
    expect(all(np.float32(p) == reference[i] for i, p in top.items()),
           f"/infer and /predict disagree on image 0: infer {reference.tolist()}, predict {top}")

    # Texts: the same answers as `minitorch predict --text`.
    answer = api.ok("POST", "/v2/models/spam/predict", {"texts": SPAM_TEXTS}).json()
    require(len(answer) == len(SPAM_TEXTS), f"predict texts: {answer}")
    for i, text in enumerate(SPAM_TEXTS):
        expected = cli_predictions(cli, "--run", ctx.spam_run, "--text", text)[0]
        same_predictions(answer[i], expected, f"predict text {i}")
        for p in answer[i]["predictions"]:
            expect(np.float32(p["probability"]) == np.float32(ctx.spam_reference[i][p["index"]]),
                   f"predict and infer disagree on text {i}: {answer[i]} vs "
                   f"{ctx.spam_reference[i].tolist()}")


def check_errors(ctx):
    api = ctx.main.api
    infer = "/v2/models/fm/infer"
    predict = "/v2/models/fm/predict"
    good = infer_body(ctx.images[:1])
    pixels = good["inputs"][0]["data"]
    png = png_bytes(ctx.images[0])

    def with_input(**changes):
        body = json.loads(json.dumps(good))
        body["inputs"][0].update(changes)
        return body

    no_data = with_input()
    del no_data["inputs"][0]["data"]
    unknown_output = with_input()
    unknown_output["outputs"] = [{"name": "logits"}]
    json_type = {"content_type": "application/json"}
    png_type = {"content_type": "image/png"}
    # (what, status, words the message must hold, method, path, body, options)
    cases = [
        ("malformed JSON", 400, ["JSON"], "POST", infer, b'{"inputs": [{"name": "input", ',
         json_type),
        ("a NaN literal (not JSON)", 400, ["JSON"], "POST", infer,
         b'{"inputs": [{"name": "input", "shape": [1], "datatype": "FP32", "data": [NaN]}]}',
         json_type),
        ("a body that is no object", 400, ["object"], "POST", infer, [1, 2, 3], {}),
        ("INT64 data for an image model", 400, ["datatype", "INT64", "FP32"], "POST", infer,
         with_input(datatype="INT64", data=[0] * 784), {}),
        ("an unknown datatype", 400, ["datatype", "FP16"], "POST", infer,
         with_input(datatype="FP16"), {}),
        ("a wrong shape", 400, ["shape", "[1, 1, 27, 28]", "28"], "POST", infer,
         with_input(shape=[1, 1, 27, 28], data=pixels[:756]), {}),
        ("nested data of the wrong shape", 400, ["shape", "28"], "POST", infer,
         with_input(data=[[[pixels[:28]] * 27]]), {}),
        ("700 values for the shape [1, 1, 28, 28]", 400, ["700", "784"], "POST", infer,
         with_input(data=pixels[:700]), {}),
        ("no data", 400, ["data"], "POST", infer, no_data, {}),
        ("no inputs", 400, ["inputs"], "POST", infer, {"id": "x"}, {}),
        ("an empty batch", 400, ["batch"], "POST", infer,
         with_input(shape=[0, 1, 28, 28], data=[]), {}),
        ("an FP32 value 1e39 (beyond float32)", 400, ["FP32"], "POST", infer,
         with_input(data=pixels[:5] + [1e39] + pixels[6:]), {}),
        # The model computes in float32: an FP64 value beyond its range reaches it as infinity.
        ("an FP64 value 1e300 (beyond the float32 the model computes in)", 400, ["1e+300"],
         "POST", infer, with_input(datatype="FP64", data=pixels[:5] + [1e300] + pixels[6:]),
         {}),
        ("an unknown input name", 400, ["pixels", "input"], "POST", infer,
         with_input(name="pixels"), {}),
        ("an unknown output name", 400, ["logits"], "POST", infer, unknown_output, {}),
        ("an unknown model", 404, ["nosuch"], "POST", "/v2/models/nosuch/infer", good, {}),
        ("metadata of an unknown model", 404, ["nosuch"], "GET", "/v2/models/nosuch", None, {}),
        ("an unknown path", 404, ["/v2/nothing/here"], "GET", "/v2/nothing/here", None,
         {"documented": False}),
        ("a text body for an image model", 415, ["Content-Type", "text/plain"], "POST", predict,
         b"hello", {"content_type": "text/plain"}),
        ("an image for a text model", 415, ["Content-Type", "application/json"], "POST",
         "/v2/models/spam/predict", png, png_type),
        ("a corrupt PNG", 400, ["PNG"], "POST", predict, png[:16] + bytes(range(256)) * 2,
         png_type),
        ("half a PNG", 400, ["PNG"], "POST", predict, png[:len(png) // 2], png_type),
        ("an empty image body", 400, ["image"], "POST", predict, b"", png_type),
        ("top_k=0", 400, ["top_k"], "POST", predict + "?top_k=0", png, png_type),
        ("resize=yes", 400, ["resize"], "POST", predict + "?resize=yes", png, png_type),
        ("no texts", 400, ["texts"], "POST", "/v2/models/spam/predict", {"texts": []}, {}),
        ("a blank text", 400, ["empty"], "POST", "/v2/models/spam/predict", {"texts": ["  "]},
         {}),
        ("a token id beyond the vocabulary", 400, ["tokens", "id"], "POST",
         "/v2/models/spam/infer", {"inputs": [{"name": "tokens", "datatype": "INT64",
                                               "shape": [1, 64], "data": [10 ** 9] + [0] * 63}]},
         {}),
        ("a number as BYTES", 400, ["BYTES", "strings"], "POST", "/v2/models/spam/infer",
         {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": [3]}]}, {}),
    ]
    for what, status, words, method, path, body, options in cases:
        api.expect_error(status, words, method, path, body, case=what, **options)
    for method, path, allowed, body in (("GET", infer, "POST", None),
                                        ("PUT", "/v2/health/live", "GET", b"{}"),
                                        ("DELETE", "/v2/models/fm", "GET", None)):
        response = api.expect_error(405, [method, allowed], method, path, body,
                                    content_type="application/json" if body else None,
                                    documented=False, case="a wrong method")
        expect(response.header("Allow") == allowed, f"{method} {path}: 405 with Allow "
               f"{response.header('Allow')!r}, expected {allowed!r}")

    # A body over --max-body-bytes: 413 naming the limit; the server goes on answering.
    small = Server(ctx.cli, ctx.work, "small-limit", [ctx.fm_run], "--threads", "1",
                   "--max-body-bytes", "4096")
    try:
        large = json.dumps(good).encode()
        require(len(large) > 4096, "the test's infer body is not over 4096 bytes")
        small.api.expect_error(413, ["4096"], "POST", infer, large,
                               content_type="application/json")
        small.api.expect_error(400, ["JSON"], "POST", infer, b"{not json",
                               content_type="application/json")
        small.api.ok("GET", "/v2/health/live")
    finally:
        small.kill()

    check_deep_json(ctx, good)

    # After all of that, a good request still gets the right answer.
    after = api.ok("POST", infer, good).json()
    p = float32s(outputs_by_name(after)["probabilities"]["data"])
    expect(bool((p == ctx.fm_reference[0]).all()),
           f"after the bad requests, image 0 gets {p.tolist()}, before "
           f"{ctx.fm_reference[0].tolist()}")


def check_deep_json(ctx, good):
    """Valid JSON nested 100000 deep (200 kB, far under the body limit): a 400, not a crash."""
    depth = 100000
    deep = b"[" * depth + b"]" * depth
    cases = [("a nested array as the body", "/v2/models/fm/infer", deep),
             ("a nested array as the id", "/v2/models/fm/infer", b'{"id": ' + deep + b"}"),
             ("a nested array as an output", "/v2/models/fm/infer",
              b'{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1], "data": [0]}], '
              b'"outputs": [' + deep + b"]}"),
             ("a nested array as the texts", "/v2/models/spam/predict",
              b'{"texts": ' + deep + b"}")]
    server = None
    try:
        for what, path, body in cases:
            if server is None or server.process.poll() is not None:
                if server is not None:
                    server.kill()
                server = Server(ctx.cli, ctx.work, "deep-json", [ctx.fm_run, ctx.spam_run],
                                "--threads", "1")
            try:
                response = server.api.request("POST", path, body, content_type="application/json")
                expect(response.status == 400, f"POST {path} with {what} ({depth} levels, "
                       f"{len(body)} bytes): expected 400, got {response.describe()}")
            except (http.client.HTTPException, OSError) as e:
                REPORT.fail(f"POST {path} with {what} ({depth} levels, {len(body)} bytes): no "
                            f"answer ({e!r})")
            time.sleep(0.2)
            if server.process.poll() is not None:
                code = server.process.returncode
                REPORT.fail(f"POST {path} with {what} ({depth} levels, {len(body)} bytes) killed "
                            f"the server (exit status {code}"
                            f"{', SIGSEGV: a stack overflow?' if code == -signal.SIGSEGV else ''})")
            else:
                server.api.ok("POST", "/v2/models/fm/infer", good)
    finally:
        if server is not None:
            server.kill()


def check_auth(ctx):
    token_file = os.path.join(ctx.work, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    server = Server(ctx.cli, ctx.work, "auth", [ctx.fm_run], "--threads", "1",
                    "--token-file", token_file)
    try:
        api = server.api
        for path in ("/v2", "/v2/models/fm", "/metrics", "/openapi.json"):
            response = api.expect_error(401, ["token"], "GET", path)
            expect((response.header("WWW-Authenticate") or "").startswith("Bearer"),
                   f"GET {path} without a token: WWW-Authenticate is "
                   f"{response.header('WWW-Authenticate')!r}, expected 'Bearer ...'")
        body = infer_body(ctx.images[:1])
        api.expect_error(401, ["token"], "POST", "/v2/models/fm/infer", body)
        wrong = TOKEN[:-1] + ("x" if TOKEN[-1] != "x" else "y")
        for bad in (wrong, TOKEN[:-1], TOKEN + "x", "x"):
            api.expect_error(401, ["token"], "POST", "/v2/models/fm/infer", body, token=bad)
        api.expect_error(401, ["token"], "GET", "/v2", headers={"Authorization": TOKEN})
        api.expect_error(401, ["token"], "GET", "/v2",
                         headers={"Authorization": f"Basic {TOKEN}"})
        api.ok("GET", "/v2/health/live")
        api.ok("GET", "/v2/health/ready")
        api.token = TOKEN
        api.ok("GET", "/v2")
        api.ok("GET", "/metrics")
        document = api.ok("GET", "/openapi.json").json()
        expect(document == OPENAPI.document if OPENAPI else True,
               "/openapi.json differs between two servers")
        answer = api.ok("POST", "/v2/models/fm/infer", body).json()
        p = float32s(outputs_by_name(answer)["probabilities"]["data"])
        expect(bool((p == ctx.fm_reference[0]).all()),
               f"with a token, image 0 gets {p.tolist()}, expected {ctx.fm_reference[0].tolist()}")
    finally:
        server.kill()


def metric_families(api):
    response = api.ok("GET", "/metrics")
    content_type = response.header("Content-Type") or ""
    expect(content_type.startswith("text/plain") and "0.0.4" in content_type,
           f"GET /metrics: Content-Type {content_type!r}, expected text/plain; version=0.0.4")
    try:
        families = list(text_string_to_metric_families(response.body.decode()))
    except Exception as e:  # the parser raises ValueError and others on bad text
        raise CheckFailed(f"GET /metrics does not parse as the Prometheus text format: {e}")
    by_name = {}
    for family in families:
        by_name[family.name] = family
        if family.type == "counter":
            by_name[family.name + "_total"] = family
    return by_name


def check_histogram(families, name, model):
    family = families.get(name)
    if not expect(family is not None and family.type == "histogram",
                  f"/metrics: no histogram {name} (families: {sorted(families)})"):
        return None
    buckets = sorted(((float(s.labels["le"]), s.value) for s in family.samples
                      if s.name == name + "_bucket" and s.labels.get("model") == model))
    counts = [s.value for s in family.samples
              if s.name == name + "_count" and s.labels.get("model") == model]
    sums = [s.value for s in family.samples
            if s.name == name + "_sum" and s.labels.get("model") == model]
    if not expect(buckets and counts and sums and buckets[-1][0] == float("inf"),
                  f"/metrics: {name}{{model=\"{model}\"}} lacks buckets, +Inf, _count or _sum"):
        return None
    values = [v for _, v in buckets]
    expect(values == sorted(values), f"/metrics: {name}{{model=\"{model}\"}}'s buckets decrease")
    expect(values[-1] == counts[0], f"/metrics: {name}{{model=\"{model}\"}}: +Inf bucket "
           f"{values[-1]} != _count {counts[0]}")
    expect(sums[0] >= 0, f"/metrics: {name}_sum{{model=\"{model}\"}} is {sums[0]}")
    return {"buckets": dict(buckets), "count": counts[0], "sum": sums[0]}


def request_counts(api, endpoints):
    counts = collections.Counter()
    for method, path, status, _ in list(api.sent):
        model, endpoint = metric_labels(method, path, status)
        if endpoint in endpoints and status != 405:
            counts[(model, endpoint, str(status))] += 1
    return counts


def served_counts(families, endpoints):
    family = families.get("minitorch_requests_total")
    require(family is not None and family.type == "counter",
            f"/metrics: no counter minitorch_requests_total (families: {sorted(families)})")
    counts = collections.Counter()
    for sample in family.samples:
        if sample.name != "minitorch_requests_total":
            continue
        labels = sample.labels
        if labels.get("endpoint") in endpoints and labels.get("code") != "405":
            counts[(labels.get("model"), labels.get("endpoint"), labels.get("code"))] = sample.value
    return counts


def check_metrics(ctx):
    api = ctx.main.api
    endpoints = {"infer", "predict"}
    # The server counts a request after answering it: the last ones may take a moment to show.
    for attempt in range(20):
        families = metric_families(api)
        sent, served = request_counts(api, endpoints), served_counts(families, endpoints)
        if sent == served:
            break
        time.sleep(0.05)
    expect(sent == served, f"/metrics: minitorch_requests_total for infer and predict is "
           f"{dict(served)}, the test sent {dict(sent)}")
    expect(sent[("fm", "infer", "200")] > 0 and sent[("fm", "infer", "400")] > 0,
           f"the test sent no good or no bad infer requests: {dict(sent)}")
    for model in ("fm", "spam"):
        duration = check_histogram(families, "minitorch_request_duration_seconds", model)
        sent_model = sum(1 for m, p, s, _ in api.sent if metric_labels(m, p, s)[0] == model)
        if duration:
            # The /metrics request itself carries no model; every request of this model is in.
            expect(duration["count"] == sent_model,
                   f"/metrics: minitorch_request_duration_seconds_count{{model=\"{model}\"}} is "
                   f"{duration['count']}, the test sent {sent_model} requests naming {model}")
        batches = check_histogram(families, "minitorch_batch_size", model)
        inference = check_histogram(families, "minitorch_inference_duration_seconds", model)
        if batches and inference:
            expect(batches["count"] == inference["count"] and batches["count"] > 0,
                   f"/metrics: {batches['count']} batches but {inference['count']} inference "
                   f"times for {model}")
            expect(batches["sum"] >= batches["count"],
                   f"/metrics: minitorch_batch_size_sum{{model=\"{model}\"}} is {batches['sum']} "
                   f"for {batches['count']} batches")
    queue = families.get("minitorch_queue_rows")
    if expect(queue is not None and queue.type == "gauge",
              f"/metrics: no gauge minitorch_queue_rows (families: {sorted(families)})"):
        values = {s.labels.get("model"): s.value for s in queue.samples}
        expect(values.get("fm") == 0, f"/metrics: minitorch_queue_rows is {values} while idle, "
               "expected fm 0")
    memory = families.get("process_resident_memory_bytes")
    if expect(memory is not None and memory.samples,
              "/metrics: no process_resident_memory_bytes"):
        expect(memory.samples[0].value > 1 << 20,
               f"/metrics: process_resident_memory_bytes is {memory.samples[0].value}")


def check_log(ctx):
    api = ctx.main.api
    body = infer_body(ctx.images[:2])
    response = api.ok("POST", "/v2/models/fm/infer", body, headers={"X-Request-Id": "log-check.42"})
    expect(response.header("X-Request-Id") == "log-check.42",
           f"X-Request-Id log-check.42 echoed as {response.header('X-Request-Id')!r}")
    bad_id = "not a valid id!"
    response = api.ok("GET", "/v2/health/live", headers={"X-Request-Id": bad_id})
    fresh = response.header("X-Request-Id") or ""
    expect(fresh and fresh != bad_id and re.fullmatch(r"[A-Za-z0-9._-]{1,64}", fresh),
           f"an invalid X-Request-Id {bad_id!r} is answered with {fresh!r}, expected a fresh id")

    log_path = ctx.main_log
    lines = []
    for attempt in range(20):
        with open(log_path, encoding="utf-8") as f:
            lines = [line for line in f.read().split("\n") if line]
        if len(lines) >= len(api.sent):
            break
        time.sleep(0.05)
    expect(len(lines) == len(api.sent), f"{log_path}: {len(lines)} lines for {len(api.sent)} "
           "requests, expected one line per request")
    records = []
    keys = {"time", "request_id", "method", "path", "model", "status", "latency_ms", "batch_size"}
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except ValueError:
            REPORT.fail(f"{log_path}:{number} is not JSON: {excerpt(line)}")
            continue
        if not expect(isinstance(record, dict) and keys <= set(record),
                      f"{log_path}:{number} lacks {sorted(keys - set(record))}: {excerpt(line)}"):
            continue
        expect(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", str(record["time"])),
               f"{log_path}:{number}: time {record['time']!r} is not ISO 8601 UTC")
        expect(isinstance(record["latency_ms"], (int, float)) and record["latency_ms"] >= 0 and
               isinstance(record["status"], int) and isinstance(record["batch_size"], int),
               f"{log_path}:{number}: latency_ms / status / batch_size of the wrong type: {line}")
        records.append(record)
    ids = [r["request_id"] for r in records]
    expect(len(set(ids)) == len(ids), f"{log_path}: request ids repeat")
    sent_ids = collections.Counter(request_id for _, _, _, request_id in api.sent)
    logged = collections.Counter(ids)
    expect(sent_ids == logged, f"{log_path}: the logged request ids differ from the answered "
           f"ones: only answered {list((sent_ids - logged).elements())[:5]}, only logged "
           f"{list((logged - sent_ids).elements())[:5]}")
    by_id = {r["request_id"]: r for r in records}
    record = by_id.get("log-check.42")
    if expect(record is not None, f"{log_path}: no line with request_id log-check.42"):
        expected = {"method": "POST", "path": "/v2/models/fm/infer", "model": "fm", "status": 200}
        expect({k: record[k] for k in expected} == expected and record["batch_size"] >= 2 and
               record["latency_ms"] > 0, f"{log_path}: the line of log-check.42 is {record}")
        stamp = time.strptime(record["time"].split(".")[0], "%Y-%m-%dT%H:%M:%S")
        skew = abs(calendar.timegm(stamp) - time.time())
        expect(skew < 120, f"{log_path}: time {record['time']} is {skew:.0f} s from now (UTC)")
    record = by_id.get(fresh)
    if expect(record is not None, f"{log_path}: no line with the fresh request_id {fresh}"):
        expect(record["path"] == "/v2/health/live" and record["status"] == 200,
               f"{log_path}: the line of {fresh} is {record}")


def check_concurrency(ctx):
    server = Server(ctx.cli, ctx.work, "concurrent", [ctx.fm_run], "--threads", "1",
                    "--max-queue-delay-us", "2000")
    try:
        api = server.api
        clients, per_client = 32, 10
        first = 100
        images = ctx.images[first:first + clients * per_client]
        bodies = [infer_body(images[i:i + 1], request_id=f"img{i}") for i in range(len(images))]
        reference = []
        for i, body in enumerate(bodies):
            answer = api.ok("POST", "/v2/models/fm/infer", body).json()
            reference.append(outputs_by_name(answer))
        # One request of 16 images is one forward pass of 16 rows: each row as when alone.
        together = api.ok("POST", "/v2/models/fm/infer", infer_body(images[:16])).json()
        rows = float32s(outputs_by_name(together)["probabilities"]["data"]).reshape(16, 10)
        alone = np.stack([float32s(reference[i]["probabilities"]["data"]) for i in range(16)])
        # The same classes, and probabilities equal up to float32 rounding: the matrix product
        # picks its kernel by the number of rows, and kernels sum in different orders.
        differing = [first + i for i in range(16)
                     if rows[i].argmax() != alone[i].argmax()
                     or np.abs(rows[i] - alone[i]).max() > BATCH_TOLERANCE]
        expect(not differing, f"images {differing} in one request of 16 get other answers than "
               f"each alone (by up to {float(np.abs(rows - alone).max()):.3g}; the classes must be "
               f"the same and the probabilities within {BATCH_TOLERANCE})")

        wrong, differences = [], []
        lock = threading.Lock()
        done = threading.Event()
        bad_statuses = collections.Counter()

        def client(c):
            try:
                for k in range(per_client):
                    i = c * per_client + k
                    response = api.request("POST", "/v2/models/fm/infer", bodies[i],
                                           validate_request=True)
                    if response.status != 200:
                        with lock:
                            wrong.append(f"image {first + i}: {response.describe()}")
                        continue
                    answer = json.loads(response.body)
                    outputs = outputs_by_name(answer)
                    got = float32s(outputs["probabilities"]["data"])
                    alone = float32s(reference[i]["probabilities"]["data"])
                    same = (outputs["class"] == reference[i]["class"]
                            and outputs["label"] == reference[i]["label"]
                            and float(np.abs(got - alone).max()) <= BATCH_TOLERANCE)
                    if not same or answer.get("id") != f"img{i}":
                        with lock:
                            differences.append(float(np.abs(got - alone).max()))
                            wrong.append(f"image {first + i} (id img{i}): answered "
                                         f"{excerpt(response.body, 200)}; alone it was "
                                         f"{excerpt(json.dumps(reference[i]), 200)}")
            except Exception as e:
                with lock:
                    wrong.append(f"client {c}: {e!r}")

        bad_bodies = [b"{\"inputs\": [", infer_body(images[:1], datatype="INT64"),
                      {"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 1, 28, 27],
                                   "data": [0.5] * 756}]}]

        def bad_sender():
            i = 0
            while not done.is_set():
                body = bad_bodies[i % len(bad_bodies)]
                kw = {"content_type": "application/json"} if isinstance(body, bytes) else {}
                try:
                    response = api.request("POST", "/v2/models/fm/infer", body, **kw)
                    bad_statuses[response.status] += 1
                except Exception as e:
                    bad_statuses[repr(e)] += 1
                i += 1

        bad = threading.Thread(target=bad_sender)
        threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
        bad.start()
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        done.set()
        bad.join(60)
        elapsed = time.monotonic() - start
        expect(not wrong, f"{len(wrong)} of {clients * per_client} concurrent answers differ "
               f"from the answers for the same images sent alone (by up to "
               f"{max(differences, default=0):.3g} in a probability; the classes must be the same "
               f"and the probabilities within {BATCH_TOLERANCE}); first: {wrong[:2]}")
        expect(set(bad_statuses) == {400} and bad_statuses[400] > 0,
               f"bad requests sent meanwhile got {dict(bad_statuses)}, expected only 400s")
        families = metric_families(api)
        batches = check_histogram(families, "minitorch_batch_size", "fm")
        if batches:
            expect(batches["buckets"].get(1.0, 0) < batches["count"],
                   f"/metrics: minitorch_batch_size for fm is {batches}: no batch of more than one "
                   f"row although {clients} clients sent at once with --max-queue-delay-us 2000")
        print(f"  concurrency: {clients * per_client} requests by {clients} clients and "
              f"{bad_statuses[400]} bad ones in {elapsed:.1f} s; batches: {batches}", flush=True)
    finally:
        server.kill()


def check_repository(ctx):
    api = ctx.main.api
    index = api.ok("POST", "/v2/repository/index").json()
    states = {entry.get("name"): entry.get("state") for entry in index}
    expect(states == {"fm": "READY", "spam": "READY"}, f"POST /v2/repository/index: {index}")
    good = infer_body(ctx.images[:1])
    unloaded = api.ok("POST", "/v2/repository/models/fm/unload").json()
    expect(unloaded == {"name": "fm", "state": "UNAVAILABLE"}, f"unload fm: {unloaded}")
    index = api.ok("POST", "/v2/repository/index").json()
    states = {entry.get("name"): entry.get("state") for entry in index}
    expect(states == {"fm": "UNAVAILABLE", "spam": "READY"}, f"index after unload: {index}")
    api.expect_error(404, ["fm", "unloaded"], "POST", "/v2/models/fm/infer", good)
    api.expect_error(404, ["fm"], "POST", "/v2/models/fm/predict", png_bytes(ctx.images[0]),
                     content_type="image/png")
    ready = api.expect_status(400, "GET", "/v2/models/fm/ready")
    expect(ready.status != 400 or ready.json() == {"name": "fm", "ready": False},
           f"GET /v2/models/fm/ready when unloaded: {ready.describe()}")
    api.ok("POST", "/v2/models/spam/predict", {"texts": SPAM_TEXTS[:1]})
    loaded = api.ok("POST", "/v2/repository/models/fm/load").json()
    expect(loaded == {"name": "fm", "state": "READY"}, f"load fm: {loaded}")
    api.ok("GET", "/v2/models/fm/ready")
    answer = api.ok("POST", "/v2/models/fm/infer", good).json()
    p = float32s(outputs_by_name(answer)["probabilities"]["data"])
    expect(bool((p == ctx.fm_reference[0]).all()),
           f"after unload and load, image 0 gets {p.tolist()}, expected "
           f"{ctx.fm_reference[0].tolist()}")
    api.expect_error(404, ["nosuch"], "POST", "/v2/repository/models/nosuch/load")
    api.expect_error(404, ["nosuch"], "POST", "/v2/repository/models/nosuch/unload")

    # Reloads while requests are in flight: every request is answered, and answered right.
    problems, answered = [], [0]
    stop = threading.Event()

    def keep_inferring():
        while not stop.is_set():
            try:
                response = api.request("POST", "/v2/models/fm/infer", good)
                answered[0] += 1
                if response.status != 200:
                    problems.append(response.describe())
                    continue
                p = float32s(outputs_by_name(json.loads(response.body))["probabilities"]["data"])
                if not (p == ctx.fm_reference[0]).all():
                    problems.append(f"answered {p.tolist()}")
            except Exception as e:
                problems.append(repr(e))

    threads = [threading.Thread(target=keep_inferring) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.05)
        for _ in range(5):
            api.ok("POST", "/v2/repository/models/fm/load")
            time.sleep(0.03)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    expect(answered[0] >= 5, f"only {answered[0]} requests ran during the reloads")
    expect(not problems, f"{len(problems)} of {answered[0]} requests in flight during 5 reloads "
           f"failed: {problems[:3]}")


def check_shutdown(ctx):
    first, rows, count = 1000, 64, 20
    payloads = [json.dumps(infer_body(ctx.images[first + rows * i:first + rows * (i + 1)])).encode()
                for i in range(count)]
    # The answers of each request alone, from the main server (same run, same threads).
    reference = []
    for payload in payloads:
        answer = ctx.main.api.ok("POST", "/v2/models/fm/infer", payload,
                                 content_type="application/json").json()
        reference.append(float32s(outputs_by_name(answer)["probabilities"]["data"]))
    for signum in (signal.SIGTERM, signal.SIGINT):
        name = signal.Signals(signum).name
        # One inference thread runs the requests one after the other (one per forward pass): the
        # signal comes as soon as every request is sent, while most still wait to be read or run.
        server = Server(ctx.cli, ctx.work, f"shutdown-{name}", [ctx.fm_run], "--threads", "1",
                        "--max-batch-size", str(rows), "--max-queue", str(rows * count))
        try:
            results = [None] * count
            sent = threading.Semaphore(0)

            def client(i):
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                try:
                    try:
                        connection.request("POST", "/v2/models/fm/infer", body=payloads[i],
                                           headers={"Content-Type": "application/json"})
                    except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError) as e:
                        results[i] = ("not sent", repr(e), None, time.monotonic())
                        return
                    finally:
                        sent.release()
                    answer = connection.getresponse()
                    body = answer.read()
                    results[i] = (answer.status, body, answer.headers.get("Content-Type"),
                                  time.monotonic())
                except Exception as e:
                    results[i] = ("sent, no answer", repr(e), None, time.monotonic())
                finally:
                    connection.close()

            threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for _ in threads:
                sent.acquire(timeout=30)
            signalled = time.monotonic()
            code, seconds = server.stop(signum, timeout=15)
            for t in threads:
                t.join(30)
            stdout = "".join(server.stdout_lines)
            expect(code == 0, f"{name}: the server exited with {code} after {seconds:.1f} s, "
                   f"expected 0; stderr: {server.stderr()}")
            expect(code is None or seconds < 10,
                   f"{name}: the server took {seconds:.1f} s to exit")
            expect("stopped" in stdout, f"{name}: stdout lacks 'stopped': {stdout!r}")
            failures = []
            answered = after_signal = 0
            for i, result in enumerate(results):
                if result is None or result[0] == "not sent":
                    continue  # refused before its request was sent: allowed
                if result[0] != 200:
                    failures.append(f"request {i}: {result[0]} {excerpt(result[1], 150)}")
                    continue
                answered += 1
                after_signal += result[3] > signalled
                if OPENAPI:
                    OPENAPI.check_response("POST", "/v2/models/fm/infer", 200, result[2],
                                           result[1])
                p = float32s(outputs_by_name(json.loads(result[1]))["probabilities"]["data"])
                # Batched with the others (check 8 asks for bit-identical answers).
                if p.shape != reference[i].shape or not np.allclose(p, reference[i], rtol=0,
                                                                    atol=1e-5):
                    failures.append(f"request {i}: a wrong answer")
            expect(not failures, f"{name} with {count} requests ({rows} images each) in flight: "
                   f"{len(failures)} requests read before the signal were not answered right: "
                   f"{failures[:4]}")
            expect(after_signal >= count // 2, f"{name}: only {after_signal} of {count} requests "
                   "were answered after the signal: the check had too few requests in flight")
            print(f"  {name}: "
                  f"{answered} of {count} requests answered, {after_signal} of them after the "
                  f"signal; exit {code} {seconds:.2f} s after it", flush=True)
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
                REPORT.fail(f"{name}: the port still accepts connections after the exit")
            except OSError:
                pass
        finally:
            server.kill()


def read_http_response(sock, deadline):
    """(status, headers dict, body) of one response read from sock, or None at EOF first."""
    data = b""
    while b"\r\n\r\n" not in data:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            return None if not data else ("truncated", {}, data)
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def listen_overflows():
    """The kernel's count of connections dropped from full listen queues (TcpExt), or 0."""
    try:
        with open("/proc/net/netstat") as f:
            lines = f.read().split("\n")
        for names, values in zip(lines[::2], lines[1::2]):
            if names.startswith("TcpExt:"):
                return int(dict(zip(names.split(), values.split())).get("ListenOverflows", 0))
    except (OSError, ValueError):
        pass
    return 0


def listen_backlog(port):
    """The backlog of the socket listening on port, from `ss -ltn` (None when ss is missing)."""
    try:
        result = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True,
                                text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[0] == "LISTEN":
            return int(fields[2])
    return None


def check_slow_clients(ctx):
    api, port = ctx.main.api, ctx.main.port
    good = infer_body(ctx.images[:1])
    stalled_line = socket.create_connection(("127.0.0.1", port), timeout=10)
    stalled_body = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        stalled_line.sendall(b"POST /v2/models/fm/inf")
        body = json.dumps(good).encode()
        stalled_body.sendall(b"POST /v2/models/fm/infer HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\n"
                             b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" +
                             body[:len(body) // 2])
        stalled_at = time.monotonic()
        time.sleep(0.2)
        start = time.monotonic()
        answer = api.ok("POST", "/v2/models/fm/infer", good).json()
        elapsed = time.monotonic() - start
        expect(elapsed < 1.0, f"a good request took {elapsed:.2f} s while two clients stalled")
        p = float32s(outputs_by_name(answer)["probabilities"]["data"])
        expect(bool((p == ctx.fm_reference[0]).all()), "a good request next to stalled clients "
               f"got {p.tolist()}, expected {ctx.fm_reference[0].tolist()}")
        for what, sock in (("half a request line", stalled_line), ("half a body", stalled_body)):
            deadline = stalled_at + 14
            try:
                response = read_http_response(sock, deadline)
                answered = response is not None
                if answered:
                    at = time.monotonic() - stalled_at
                    expect(3.5 <= at <= 8, f"a client sending {what} and stalling was answered "
                           f"after {at:.1f} s, expected about the 5 s read timeout")
                    status, headers, data = response
                    if OPENAPI and isinstance(status, int):
                        OPENAPI.check_response("POST", "/v2/models/fm/infer", status,
                                               headers.get("content-type"), data,
                                               documented=what == "half a body")
                    expect(status in (400, 408), f"a client sending {what} and stalling got "
                           f"{status}: {excerpt(data)}")
                    message = json.loads(data).get("error", "") if data[:1] == b"{" else ""
                    expect(re.search(r"(?i)body|time", message), f"a client sending {what} and "
                           f"stalling got {status} {message!r}, which does not name the problem "
                           "(a body not received within the read timeout)")
                    response = read_http_response(sock, deadline)
                    expect(response is None, f"after answering a stalled client ({what}), the "
                           "server kept the connection open")
                closed = time.monotonic() - stalled_at
                if answered:  # answered at the read timeout, closed at the keep-alive timeout
                    expect(closed <= 12, f"a client sending {what} and stalling was dropped "
                           f"after {closed:.1f} s, expected within the 5 s read timeout and the "
                           "5 s keep-alive timeout")
                else:
                    expect(3.5 <= closed <= 8, f"a client sending {what} and stalling was dropped "
                           f"after {closed:.1f} s, expected about the 5 s read timeout")
            except socket.timeout:
                REPORT.fail(f"a client sending {what} and stalling is still connected after "
                            f"{time.monotonic() - stalled_at:.1f} s (read timeout 5 s)")
            except ConnectionResetError:
                closed = time.monotonic() - stalled_at
                expect(3.5 <= closed <= 8, f"a client sending {what} and stalling was reset "
                       f"after {closed:.1f} s, expected about the 5 s read timeout")
    finally:
        stalled_line.close()
        stalled_body.close()

    # 500 connections at once, each with a complete request, read and closed as answers come.
    # A listen queue shorter than such a burst makes the kernel drop handshakes, which the client
    # cannot tell from an accepted connection: it waits for retransmissions (1, 2, 4, 8, 16 s).
    backlog = listen_backlog(port)
    expect(backlog is None or backlog >= 128, f"the server listens with a backlog of {backlog} "
           "connections (ss -ltn, Send-Q): a burst of connections overflows it, and each dropped "
           "one waits seconds for the kernel's retransmissions instead of an answer or a refusal")
    count = 500
    infer_request = (b"POST /v2/models/fm/infer HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: " +
                     str(len(body)).encode() + b"\r\n\r\n" + body)
    ready_request = b"GET /v2/models/fm/ready HTTP/1.1\r\nHost: x\r\n\r\n"
    selector = selectors.DefaultSelector()
    states = {}
    outcome = collections.Counter()
    problems = []
    start = time.monotonic()
    for i in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        request = infer_request if i % 2 == 0 else ready_request
        states[sock] = {"i": i, "out": request, "in": b"", "kind": "infer" if i % 2 == 0 else
                        "ready"}
        selector.register(sock, selectors.EVENT_WRITE)
    overflows = listen_overflows()
    deadline = start + 15
    while states and time.monotonic() < deadline:
        for key, events in selector.select(timeout=0.5):
            sock, state = key.fileobj, states[key.fileobj]
            try:
                if events & selectors.EVENT_WRITE:
                    sent = sock.send(state["out"])
                    state["out"] = state["out"][sent:]
                    if not state["out"]:
                        selector.modify(sock, selectors.EVENT_READ)
                    continue
                chunk = sock.recv(65536)
                state["in"] += chunk
                complete = False
                if b"\r\n\r\n" in state["in"]:
                    head, rest = state["in"].split(b"\r\n\r\n", 1)
                    match = re.search(rb"(?i)content-length:\s*(\d+)", head)
                    complete = match is not None and len(rest) >= int(match.group(1))
                if chunk and not complete:
                    continue
                selector.unregister(sock)
                sock.close()
                del states[sock]
                if not state["in"]:
                    outcome["closed without an answer"] += 1
                    problems.append(f"connection {state['i']}: closed without an answer")
                    continue
                head, rest = state["in"].split(b"\r\n\r\n", 1)
                status = int(head.split(b" ")[1])
                content_type = re.search(rb"(?i)content-type:\s*([^\r\n]+)", head)
                content_type = content_type.group(1).decode() if content_type else None
                path = "/v2/models/fm/infer" if state["kind"] == "infer" else "/v2/models/fm/ready"
                method = "POST" if state["kind"] == "infer" else "GET"
                api.record(method, path, status, None)
                if OPENAPI:
                    OPENAPI.check_response(method, path, status, content_type, rest)
                outcome[status] += 1
                if status == 503:
                    if not re.search(rb"(?i)retry-after:", head):
                        problems.append(f"connection {state['i']}: 503 without Retry-After")
                elif status != 200:
                    problems.append(f"connection {state['i']}: {status} {excerpt(rest, 150)}")
                elif state["kind"] == "infer":
                    answer = json.loads(rest)
                    p = float32s(outputs_by_name(answer)["probabilities"]["data"])
                    # Batched with others (check 8 asks for bit-identical answers).
                    if not np.allclose(p, ctx.fm_reference[0], rtol=0, atol=1e-5):
                        problems.append(f"connection {state['i']}: a wrong answer {p.tolist()}")
            except ConnectionRefusedError:
                outcome["refused"] += 1
                selector.unregister(sock)
                sock.close()
                del states[sock]
            except OSError as e:
                outcome[repr(e)] += 1
                problems.append(f"connection {state['i']}: {e!r}")
                selector.unregister(sock)
                sock.close()
                del states[sock]
    for sock in list(states):
        outcome["no answer in 15 s"] += 1
        sock.close()
    selector.close()
    elapsed = time.monotonic() - start
    overflows = listen_overflows() - overflows
    print(f"  {count} connections at once: {dict(outcome)} in {elapsed:.1f} s; the kernel counted "
          f"{overflows} listen queue overflows meanwhile", flush=True)
    expect(not problems and not states, f"{count} connections at once: {dict(outcome)} (the "
           f"kernel counted {overflows} listen queue overflows meanwhile); first problems: "
           f"{problems[:4]}")
    expect(outcome[200] >= count // 2, f"{count} connections at once: only {outcome[200]} "
           f"answered 200: {dict(outcome)}")
    answer = api.ok("POST", "/v2/models/fm/infer", good).json()
    p = float32s(outputs_by_name(answer)["probabilities"]["data"])
    expect(bool((p == ctx.fm_reference[0]).all()),
           f"after {count} connections, image 0 gets {p.tolist()}")


# ------------------------------------------------------------------------------------------------

CHECKS = [
    ("1 openapi", check_openapi),
    ("2 v2 protocol", check_v2),
    ("3 predict", check_predict),
    ("4 errors", check_errors),
    ("5 auth", check_auth),
    ("6 metrics", check_metrics),
    ("7 log", check_log),
    ("8 concurrency", check_concurrency),
    ("9 repository", check_repository),
    ("10 graceful shutdown", check_shutdown),
    ("11 slow clients", check_slow_clients),
]


def train(cli, work):
    fm_run, spam_run = os.path.join(work, "fm"), os.path.join(work, "spam")
    run_cli(cli, "train", "--task", "fashion-mnist", "--model", "lenet", "--epochs", "1",
            "--train-samples", "2000", "--batch-size", "64", "--optimizer", "adam", "--lr", "1e-3",
            "--seed", "0", "--run-dir", fm_run)
    run_cli(cli, "train", "--task", "spam", "--model", "textcnn", "--epochs", "1",
            "--train-samples", "300", "--max-length", "64", "--embedding-dim", "16", "--seed", "0",
            "--run-dir", spam_run)
    return fm_run, spam_run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli", required=True, help="the minitorch program")
    parser.add_argument("--work-dir", required=True, help="a scratch directory")
    parser.add_argument("--only", help="run only the checks whose name contains this")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    os.makedirs(args.work_dir, exist_ok=True)
    ctx = Context()
    ctx.cli = os.path.abspath(args.cli)
    ctx.work = tempfile.mkdtemp(prefix="check_serve.", dir=args.work_dir)
    began = time.monotonic()

    def interrupted(signum, frame):
        raise SystemExit(f"interrupted by {signal.Signals(signum).name}")

    # A test stopped from outside (a ctest timeout) still stops the servers it started.
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    try:
        ctx.fm_run, ctx.spam_run = train(ctx.cli, ctx.work)
        with open(os.path.join(ctx.spam_run, "vocab.txt"), encoding="utf-8") as f:
            ctx.vocabulary = {word: i for i, word in enumerate(f.read().split("\n")) if word}
        ctx.images = load_fashion_images(2300)
        ctx.main_log = os.path.join(ctx.work, "main.log")
        ctx.main = Server(ctx.cli, ctx.work, "main", [ctx.fm_run, ctx.spam_run], "--threads", "1",
                          "--log-file", ctx.main_log)
        # Reference answers for the first images, for checks that compare with them.
        answer = ctx.main.api.request("POST", "/v2/models/fm/infer", infer_body(ctx.images[:3]))
        require(answer.status == 200, f"the main server cannot infer: {answer.describe()}")
        probabilities = outputs_by_name(answer.json())["probabilities"]["data"]
        ctx.fm_reference = {i: float32s(probabilities[10 * i:10 * (i + 1)]) for i in range(3)}
        print(f"trained and started in {time.monotonic() - began:.1f} s", flush=True)
        for name, check in CHECKS:
            if args.only and args.only not in name:
                continue
            REPORT.check = name
            start = time.monotonic()
            try:
                check(ctx)
            except CheckFailed as e:
                REPORT.fail(str(e))
            except (OSError, http.client.HTTPException) as e:
                REPORT.fail(f"no answer from a server ({e!r}); the main server's exit status: "
                            f"{ctx.main.process.poll()}; stderr: {ctx.main.stderr()}\n"
                            f"{traceback.format_exc()}")
            except Exception:
                REPORT.fail("the test itself failed:\n" + traceback.format_exc())
            print(f"check {name}: {time.monotonic() - start:.1f} s", flush=True)
        REPORT.check = "main server exit"
        code, seconds = ctx.main.stop(signal.SIGTERM)
        expect(code == 0, f"the main server exited with {code} on SIGTERM; stderr: "
               f"{ctx.main.stderr()}")
    except CheckFailed as e:
        REPORT.fail(str(e))
    except Exception:
        REPORT.fail("the test itself failed:\n" + traceback.format_exc())
    finally:
        for server in SERVERS:
            server.kill()
    print(f"total {time.monotonic() - began:.1f} s")
    if REPORT.failures:
        checks = sorted({check for check, _ in REPORT.failures})
        print(f"FAILED: {len(REPORT.failures)} failures in {', '.join(checks)} (servers' "
              f"output and logs: {ctx.work})")
        for check, message in REPORT.failures:
            print(f"  [{check}] {excerpt(message, 600)}")
        return 1
    shutil.rmtree(ctx.work, ignore_errors=True)
    print("PASSED: every check of minitorch serve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
