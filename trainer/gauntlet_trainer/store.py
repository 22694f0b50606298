"""Artifact store: S3 (MinIO in dev) through boto3, configured only from GAUNTLET_STORAGE_* env variables.

Storage may restart under a running job. A read or write that cannot reach the endpoint is retried with backoff for
GAUNTLET_STORAGE_RETRY_SECONDS (default 900) before the job gives up with StorageUnavailable (exit 75, an outage the
orchestrator retries without counting it against the trainer). Training goes on meanwhile wherever it can: see
EventLog.flush(best_effort=True).
"""
import json
import os
import re
import sys
import time

from . import contract
from .errors import BadInput, StorageUnavailable

DEFAULT_RETRY_SECONDS = 900.0
_UNAVAILABLE_CODES = {"ServiceUnavailable", "SlowDown", "InternalError", "XMinioServerNotInitialized", "RequestTimeout",
                      "503", "500", "502", "504"}


def is_unavailable(error: BaseException) -> bool:
    """True when the error says storage is down or restarting, not that the request was wrong."""
    from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError, HTTPClientError

    if isinstance(error, (BotoConnectionError, HTTPClientError)):
        return True  # EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError, ...
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return code in _UNAVAILABLE_CODES or status >= 500
    return False

_URI = re.compile(r"s3://([^/]+)/(.*)")


class ObjectNotFound(Exception):
    """The bucket or key does not exist. Callers decide whether that is bad input (a job's data URI) or not."""

    def __init__(self, uri: str):
        super().__init__(f"object not found: {uri}")
        self.uri = uri


def parse_uri(uri: str):
    """`s3://bucket/key` -> (bucket, key)."""
    match = _URI.fullmatch(uri)
    if not match:
        raise ValueError(f"not an s3://bucket/key URI: {uri!r}")
    return match.group(1), match.group(2)


def join_uri(prefix: str, name: str) -> str:
    return prefix + name if prefix.endswith("/") else f"{prefix}/{name}"


class Store:
    def __init__(self, client, endpoint="the S3 endpoint", retry_seconds=DEFAULT_RETRY_SECONDS, sleep=time.sleep,
                 clock=time.monotonic):
        self._client = client
        self.endpoint = endpoint
        self.retry_seconds = retry_seconds
        self._sleep = sleep
        self._clock = clock

    def _call(self, operation, retry=True):
        """Run one storage operation, retrying while the endpoint is unreachable (for retry_seconds, or not at all)."""
        started, wait, told = self._clock(), 0.5, False
        while True:
            try:
                return operation()
            except Exception as error:  # noqa: BLE001 — classified just below
                if not is_unavailable(error):
                    raise
                waited = self._clock() - started
                if not retry or waited + wait > self.retry_seconds:
                    raise StorageUnavailable(self.endpoint, waited, error) from error
                if not told:
                    print(f"storage at {self.endpoint} unreachable ({type(error).__name__}); retrying for up to "
                          f"{self.retry_seconds:.0f} s", file=sys.stderr, flush=True)
                    told = True
                self._sleep(wait)
                wait = min(wait * 2, 10.0)

    @classmethod
    def from_env(cls, environ=None) -> "Store":
        import boto3
        from botocore.config import Config

        environ = os.environ if environ is None else environ
        for name in (contract.ENV_STORAGE_ACCESS_KEY, contract.ENV_STORAGE_SECRET_KEY):
            if not environ.get(name):
                # Credentials come from the environment only (never the job document); no retry can supply them.
                raise BadInput(name, "storage credential is not set in the environment")
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},  # MinIO and most S3-compatibles want path-style URLs
            # Fail within seconds when storage is down: the orchestrator retries the whole job, which is cheaper than
            # a trainer hanging on a dead endpoint.
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 2, "mode": "standard"},  # longer outages: Store._call's bounded backoff
        )
        client = boto3.client(
            "s3",
            endpoint_url=environ.get(contract.ENV_STORAGE_ENDPOINT) or None,
            aws_access_key_id=environ[contract.ENV_STORAGE_ACCESS_KEY],
            aws_secret_access_key=environ[contract.ENV_STORAGE_SECRET_KEY],
            region_name=environ.get(contract.ENV_STORAGE_REGION) or "us-east-1",
            config=config,
        )
        endpoint = environ.get(contract.ENV_STORAGE_ENDPOINT) or "the default S3 endpoint"
        raw = environ.get(contract.ENV_STORAGE_RETRY_SECONDS) or str(DEFAULT_RETRY_SECONDS)
        try:
            retry_seconds = float(raw)
        except ValueError:
            raise BadInput(contract.ENV_STORAGE_RETRY_SECONDS, f"must be a number of seconds, got {raw!r}") from None
        return cls(client, endpoint, retry_seconds)

    def get_bytes(self, uri: str) -> bytes:
        from botocore.exceptions import ClientError

        bucket, key = parse_uri(uri)
        try:
            return self._call(lambda: self._client.get_object(Bucket=bucket, Key=key)["Body"].read())
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchBucket", "404"):
                raise ObjectNotFound(uri) from None
            raise

    def put_bytes(self, uri: str, data: bytes, content_type: str = "application/octet-stream", retry=True) -> str:
        """retry=False: one try; StorageUnavailable at once when the endpoint is down (for writes that can wait)."""
        bucket, key = parse_uri(uri)
        self._call(lambda: self._client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type), retry)
        return uri

    def exists(self, uri: str) -> bool:
        from botocore.exceptions import ClientError

        bucket, key = parse_uri(uri)
        try:
            self._call(lambda: self._client.head_object(Bucket=bucket, Key=key))
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchBucket", "404", "NotFound"):
                return False
            raise

    def get_json(self, uri: str):
        return json.loads(self.get_bytes(uri).decode("utf-8"))

    def put_json(self, uri: str, value) -> str:
        # allow_nan=False: JSON has no NaN, and the TypeScript side parses with JSON.parse.
        data = json.dumps(value, allow_nan=False, separators=(",", ":")).encode("utf-8")
        return self.put_bytes(uri, data, "application/json")
