"""Shared fixtures: a REAL MinIO server (binary from GAUNTLET_MINIO_BIN), the digits data set in it, and a helper that
runs a trainer as the executor would (subprocess, env-only credentials) and checks every stdout line."""
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

TRAINER_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TRAINER_DIR))

from contract_check import check_event, check_result  # noqa: E402

REFERENCE = TRAINER_DIR / "reference_trainer.py"
BUCKET = "gauntlet-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Minio:
    endpoint: str
    access_key: str
    secret_key: str
    client: object

    def env(self) -> dict:
        return {"GAUNTLET_STORAGE_ENDPOINT": self.endpoint, "GAUNTLET_STORAGE_ACCESS_KEY": self.access_key,
                "GAUNTLET_STORAGE_SECRET_KEY": self.secret_key, "GAUNTLET_STORAGE_REGION": "us-east-1"}

    def get(self, uri: str) -> bytes:
        bucket, key = uri[len("s3://"):].split("/", 1)
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def get_json(self, uri: str):
        return json.loads(self.get(uri))

    def put(self, key: str, data: bytes) -> str:
        self.client.put_object(Bucket=BUCKET, Key=key, Body=data)
        return f"s3://{BUCKET}/{key}"


class MinioServer:
    """A MinIO process on a fixed port and data folder, so a test can stop it and start it again (an outage)."""

    user, password = "gauntlet-test", "gauntlet-test-secret"

    def __init__(self, binary, root: Path):
        self.binary, self.root = binary, root
        self.port, self.console = free_port(), free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = None
        self._log = None

    def start(self):
        self._log = open(self.root / "minio.log", "ab")
        self.process = subprocess.Popen(
            [self.binary, "server", str(self.root / "data"), "--address", f"127.0.0.1:{self.port}",
             "--console-address", f"127.0.0.1:{self.console}", "--quiet"],
            env={**os.environ, "MINIO_ROOT_USER": self.user, "MINIO_ROOT_PASSWORD": self.password,
                 "MINIO_BROWSER": "off"},
            stdout=self._log, stderr=subprocess.STDOUT)
        _wait_ready(self.endpoint, self.process, self.root / "minio.log")

    def stop(self):
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self._log.close()

    def connect(self) -> Minio:
        import boto3
        from botocore.config import Config

        client = boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=self.user,
                              aws_secret_access_key=self.password, region_name="us-east-1",
                              config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
        return Minio(self.endpoint, self.user, self.password, client)


def minio_binary():
    binary = os.environ.get("GAUNTLET_MINIO_BIN")
    if not binary:
        pytest.skip("GAUNTLET_MINIO_BIN is not set: storage tests need a real MinIO server binary")
    if not os.access(binary, os.X_OK):
        pytest.skip(f"GAUNTLET_MINIO_BIN={binary} is not an executable file")
    return binary


@pytest.fixture(scope="session")
def minio(tmp_path_factory):
    server = MinioServer(minio_binary(), tmp_path_factory.mktemp("minio"))
    try:
        server.start()
        store = server.connect()
        store.client.create_bucket(Bucket=BUCKET)
        yield store
    finally:
        server.stop()


@pytest.fixture
def minio_server(tmp_path):
    """A MinIO of this test's own, with the bucket, that the test may stop and restart."""
    server = MinioServer(minio_binary(), tmp_path)
    try:
        server.start()
        server.connect().client.create_bucket(Bucket=BUCKET)
        yield server
    finally:
        server.stop()


def _wait_ready(endpoint, process, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"minio exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{endpoint}/minio/health/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"minio not ready after {timeout}s: {log_path.read_text()[-2000:]}")


def upload_digits(minio) -> dict:
    """The digits CSV and a seeded 70/15/15 split manifest in MinIO; returns the job's `data` block."""
    import numpy as np
    from gauntlet_trainer.export_dataset import digits_csv

    csv = digits_csv().encode()
    order = np.random.RandomState(0).permutation(csv.count(b"\n") - 1).tolist()
    train, valid = int(0.7 * len(order)), int(0.85 * len(order))
    split = {"train": order[:train], "valid": order[train:valid], "test": order[valid:]}
    return {
        "uri": minio.put("data/digits.csv", csv),
        "sha256": hashlib.sha256(csv).hexdigest(),
        "labelColumn": "label",
        "splitUri": minio.put("data/digits-split.json", json.dumps(split).encode()),
        "numClasses": 10,
    }


@pytest.fixture(scope="session")
def digits(minio):
    return upload_digits(minio)


def make_job(data: dict, mode: str = "train", **fields) -> dict:
    """A valid job with a fresh output prefix; `fields` override top-level keys."""
    job_id = f"{mode.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    job = {"contract": "gauntlet.job/v1", "jobId": job_id, "mode": mode, "seed": 7, "data": dict(data),
           "output": {"prefix": f"s3://{BUCKET}/runs/{job_id}/"}, "device": "cpu"}
    job.update(fields)
    return job


@dataclass
class TrainerRun:
    code: int
    events: list
    stderr: str

    def named(self, event_type, name=None):
        return [e for e in self.events if e["event"] == event_type and (name is None or e.get("name") == name)]


def trainer_env(minio, job=None, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GAUNTLET_")}
    env.update(minio.env() if minio else {})
    env["PYTHONPATH"] = str(TRAINER_DIR)
    if job is not None:
        env["GAUNTLET_JOB"] = json.dumps(job)
    env.update(extra)
    return env


def run_trainer(minio, job, script=REFERENCE, timeout=300, **extra_env) -> TrainerRun:
    """Run a trainer to completion; asserts that every stdout line is a contract event."""
    completed = subprocess.run([sys.executable, str(script)], env=trainer_env(minio, job, **extra_env),
                               capture_output=True, text=True, timeout=timeout)
    events = parse_stdout(completed.stdout)
    return TrainerRun(completed.returncode, events, completed.stderr)


def parse_stdout(stdout: str) -> list:
    events = []
    for line in stdout.splitlines():
        event = json.loads(line)  # every stdout line must be JSON, nothing else may be printed
        check_event(event)
        events.append(event)
    return events


def read_result(minio, job) -> dict:
    result = minio.get_json(job["output"]["prefix"] + "result.json")
    check_result(result)
    return result
