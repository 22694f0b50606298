"""Artifact store: S3 (MinIO in dev) through boto3, configured only from GAUNTLET_STORAGE_* env variables."""
import json
import os
import re

from . import contract
from .errors import BadInput

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
    def __init__(self, client):
        self._client = client

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
            retries={"max_attempts": 3, "mode": "standard"},
        )
        client = boto3.client(
            "s3",
            endpoint_url=environ.get(contract.ENV_STORAGE_ENDPOINT) or None,
            aws_access_key_id=environ[contract.ENV_STORAGE_ACCESS_KEY],
            aws_secret_access_key=environ[contract.ENV_STORAGE_SECRET_KEY],
            region_name=environ.get(contract.ENV_STORAGE_REGION) or "us-east-1",
            config=config,
        )
        return cls(client)

    def get_bytes(self, uri: str) -> bytes:
        from botocore.exceptions import ClientError

        bucket, key = parse_uri(uri)
        try:
            return self._client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchBucket", "404"):
                raise ObjectNotFound(uri) from None
            raise

    def put_bytes(self, uri: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        bucket, key = parse_uri(uri)
        self._client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
        return uri

    def exists(self, uri: str) -> bool:
        from botocore.exceptions import ClientError

        bucket, key = parse_uri(uri)
        try:
            self._client.head_object(Bucket=bucket, Key=key)
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
