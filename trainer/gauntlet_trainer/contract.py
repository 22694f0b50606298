"""Job contract v1 (Python mirror of core/spec/job.ts, which is the source of truth).

`validate_job` returns the job as a plain dict with the same camelCase keys as the TypeScript type and every zod
default filled in, so a trainer reads `job["data"]["labelColumn"]` exactly as the orchestrator wrote it.
"""
import json
import os

from . import schema as s
from .errors import BadInput

CONTRACT_VERSION = "gauntlet.job/v1"

EXIT_SUCCESS = 0
EXIT_BAD_INPUT = 2  # do not retry; every other non-zero code is retryable
EXIT_RETRYABLE = 1  # what run() uses for unexpected exceptions
# Storage stayed unreachable past the retry window: the infrastructure's failure, not the trainer's. The orchestrator
# retries it within its own window without spending the trainer's attempts (BSD's EX_TEMPFAIL).
EXIT_INFRASTRUCTURE = 75

ENV_JOB = "GAUNTLET_JOB"
ENV_JOB_FILE = "GAUNTLET_JOB_FILE"
ENV_STORAGE_ENDPOINT = "GAUNTLET_STORAGE_ENDPOINT"
ENV_STORAGE_ACCESS_KEY = "GAUNTLET_STORAGE_ACCESS_KEY"
ENV_STORAGE_SECRET_KEY = "GAUNTLET_STORAGE_SECRET_KEY"
ENV_STORAGE_REGION = "GAUNTLET_STORAGE_REGION"
# Seconds a storage read or write is retried, with backoff, while the endpoint is unreachable. @default 900
ENV_STORAGE_RETRY_SECONDS = "GAUNTLET_STORAGE_RETRY_SECONDS"

# The modes of a model on the job's data — fitting it, applying it, and `inspect` (statistics of its preprocessed
# inputs, a property of the model's input pipeline): what a Learner implements. MODES is every mode of the contract:
# `label` (annotate one batch of rows, see _LABEL below) is a labeling job, not a training one.
TRAINING_MODES = ("lr_range_test", "train", "overfit_check", "evaluate", "predict", "inspect")
MODES = TRAINING_MODES + ("label",)
SPLITS = ("train", "valid", "test")

_S3_URI = s.string(pattern=r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\S*", pattern_message="must be an s3://bucket/key URI")
_S3_PREFIX = s.refine(_S3_URI, lambda v: v.endswith("/"), 'an output prefix must end with "/"')

_ONE_CYCLE = s.strict_object({
    "kind": (s.literal("one_cycle"), s.REQUIRED),
    "maxLr": (s.number(gt=0), s.REQUIRED),
    "pctStart": (s.number(gt=0, lt=1), 0.3),
    "annealStrategy": (s.enum("cos", "linear"), "cos"),
    "divFactor": (s.number(gt=0), 25),
    "finalDivFactor": (s.number(gt=0), 1e4),
    "threePhase": (s.boolean(), False),
    "cycleMomentum": (s.boolean(), True),
    "baseMomentum": (s.number(ge=0, le=1), 0.85),
    "maxMomentum": (s.number(ge=0, le=1), 0.95),
})
_CONSTANT = s.strict_object({
    "kind": (s.literal("constant"), s.REQUIRED),
    "lr": (s.number(gt=0), s.REQUIRED),
})
_RANGE_TEST = s.strict_object({
    "kind": (s.literal("range_test"), s.REQUIRED),
    "startLr": (s.number(gt=0), 1e-7),
    "endLr": (s.number(gt=0), 10),
    "numSteps": (s.number(integer=True, ge=5), 100),
    "divergeFactor": (s.number(gt=1), 4),
})
SCHEDULES = {"one_cycle": _ONE_CYCLE, "constant": _CONSTANT, "range_test": _RANGE_TEST}

_DATA = s.strict_object({
    "uri": (_S3_URI, s.REQUIRED),
    "sha256": (s.string(pattern=r"[0-9a-f]{64}", pattern_message="must be 64 lowercase hex digits"), s.REQUIRED),
    "format": (s.literal("csv"), "csv"),
    "labelColumn": (s.string(min_len=1), "label"),
    "splitUri": (_S3_URI, s.REQUIRED),
    "numClasses": (s.number(integer=True, ge=2), s.REQUIRED),
    # Columns that are neither features nor the label (e.g. the true final output an oracle check reads).
    "ignoreColumns": (s.array(s.string(min_len=1)), []),
})

_HYPERPARAMETER = s.any_of(s.number(), s.string(), s.boolean(), message="must be a number, string or boolean")

OVERFIT_DEFAULTS = {"batchSize": 32, "lossThreshold": 0.05, "maxSteps": 300}
_OVERFIT = s.strict_object({
    "batchSize": (s.number(integer=True, ge=1), OVERFIT_DEFAULTS["batchSize"]),
    "lossThreshold": (s.number(gt=0), OVERFIT_DEFAULTS["lossThreshold"]),
    "maxSteps": (s.number(integer=True, ge=1), OVERFIT_DEFAULTS["maxSteps"]),
})

# label: the batch to label. The file at batchUri is JSON `{"batch": n, "items": [row indices of data.uri]}`; the job
# writes `<output.prefix>labels.json` = `{"annotator", "batch", "labels": [{"item": row, "label": class name}]}` and
# names it as the `labels` artifact of result.json. Required when mode is `label` (validate_job checks it).
_LABEL = s.strict_object({
    "batchUri": (_S3_URI, s.REQUIRED),
    "batch": (s.number(integer=True, ge=0), s.REQUIRED),
    "annotator": (s.string(min_len=1), s.REQUIRED),
    "classes": (s.refine(s.array(s.string(min_len=1)), lambda v: len(v) >= 2, "must have at least 2 class names"),
                s.REQUIRED),  # index i is class i of data.labelColumn
})

_JOB = s.strict_object({
    "contract": (s.literal(CONTRACT_VERSION), s.REQUIRED),
    "jobId": (s.string(pattern=r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", pattern_message="must be a DNS-1123 label"),
              s.REQUIRED),
    "mode": (s.enum(*MODES), s.REQUIRED),
    "seed": (s.number(integer=True, ge=0), s.REQUIRED),
    "data": (_DATA, s.REQUIRED),
    "output": (s.strict_object({"prefix": (_S3_PREFIX, s.REQUIRED)}), s.REQUIRED),
    "hyperparameters": (s.record(_HYPERPARAMETER), {}),
    "epochs": (s.number(integer=True, ge=1), 1),
    "batchSize": (s.number(integer=True, ge=1), 64),
    "schedule": (s.discriminated("kind", SCHEDULES), s.OPTIONAL),
    "checkpoint": (s.nullable(_S3_URI), None),
    "split": (s.enum(*SPLITS), "valid"),
    "overfit": (_OVERFIT, s.OPTIONAL),
    "label": (_LABEL, s.OPTIONAL),
    "device": (s.enum("auto", "cpu", "cuda"), "auto"),
})


def validate_job(document) -> dict:
    """Validate a parsed job document; raises BadInput naming the first offending field."""
    job = _JOB(document, "")
    if job["mode"] == "label" and job["label"] is None:
        raise BadInput("label", "mode 'label' needs the label block {batchUri, batch, annotator, classes}")
    return job


def validate_schedule(schedule) -> dict:
    """Fill in a schedule's defaults (used when a trainer builds one itself, e.g. a range test with no schedule)."""
    return s.discriminated("kind", SCHEDULES)(schedule, "schedule")


def read_job_document(environ=None) -> dict:
    """Read and validate the job from GAUNTLET_JOB, or the file named by GAUNTLET_JOB_FILE."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_JOB):
        text, source = environ[ENV_JOB], ENV_JOB
    elif environ.get(ENV_JOB_FILE):
        source = ENV_JOB_FILE
        try:
            with open(environ[ENV_JOB_FILE], encoding="utf-8") as handle:
                text = handle.read()
        except OSError as error:
            raise BadInput(ENV_JOB_FILE, f"cannot read job file {environ[ENV_JOB_FILE]!r}: {error.strerror}")
    else:
        raise BadInput(ENV_JOB, f"no job document: set {ENV_JOB} (JSON) or {ENV_JOB_FILE} (path)")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(source, f"job document is not valid JSON: {error}")
    return validate_job(document)
