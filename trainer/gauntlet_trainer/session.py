"""Session: one job attempt's view of the contract — the validated job, the store, the event log, checkpoints and
the single result.json."""
from . import checkpoint as ckpt
from .contract import CONTRACT_VERSION
from .errors import BadInput
from .events import EventLog, finite_or_none, utc_now
from .store import ObjectNotFound, join_uri


class Session:
    def __init__(self, job: dict, store, stream=None, trainer=("custom-trainer", "0.0.0")):
        self.job = job
        self.store = store
        self.prefix = job["output"]["prefix"]
        self.events = EventLog(stream, store, self.uri("events.jsonl"))
        self.trainer = {"name": trainer[0], "version": trainer[1]}
        self.started_at = utc_now()
        self.resumed_from_epoch = None  # set by the trainer when it restores a checkpoint
        self.result_written = False
        self._device = None

    def uri(self, name: str) -> str:
        """Where an output object called `name` lives under the job's output prefix."""
        return join_uri(self.prefix, name)

    @property
    def device(self):
        if self._device is None:
            from .torch_utils import resolve_device

            self._device = resolve_device(self.job["device"])
        return self._device

    def begin(self) -> None:
        carried = self.events.load_previous()
        note = f" ({carried} events carried over from an earlier attempt)" if carried else ""
        self.log(f"{self.trainer['name']} {self.trainer['version']}: job {self.job['jobId']} mode "
                 f"{self.job['mode']} started{note}")

    # ---- progress events ----
    def report_metric(self, name, value, epoch=None, step=None, split=None):
        return self.events.metric(name, value, epoch=epoch, step=step, split=split)

    def report_lr_point(self, step, lr, loss):
        return self.events.lr_point(step, lr, loss)

    def log(self, message, level="info"):
        return self.events.log(message, level)

    def flush_events(self) -> bool:
        """Best effort: storage being down never stops training; what was not uploaded goes with the next flush."""
        return self.events.flush(best_effort=True)

    # ---- artifacts and checkpoints ----
    def put_json(self, name: str, value) -> str:
        return self.store.put_json(self.uri(name), value)

    def save_checkpoint(self, state: dict, epoch: int, step=None) -> str:
        """Store `state` at `<prefix>checkpoints/epoch-NNNN.pt`, then emit the checkpoint event — only once the object
        exists, because the orchestrator resumes a retry from the last checkpoint event's URI. The event is durable:
        events.jsonl is rewritten (with it) before it is printed, so no separate flush is needed at an epoch end."""
        uri = self.store.put_bytes(self.uri(ckpt.checkpoint_name(epoch)), ckpt.to_bytes(state))
        self.events.checkpoint(uri, epoch, step)
        return uri

    def load_checkpoint(self, uri=None, map_location="cpu", weights_only=True) -> dict:
        """Load `uri` (default: job.checkpoint). A missing or unreadable checkpoint is bad input: no retry fixes it."""
        uri = uri or self.job["checkpoint"]
        if not uri:
            raise BadInput("checkpoint", f"mode {self.job['mode']!r} needs a checkpoint URI")
        try:
            data = self.store.get_bytes(uri)
        except ObjectNotFound:
            raise BadInput("checkpoint", f"checkpoint object does not exist: {uri}") from None
        try:
            return ckpt.from_bytes(data, map_location=map_location, weights_only=weights_only)
        except Exception as error:  # pickle/zip errors have many types; all mean "not a loadable checkpoint"
            raise BadInput("checkpoint", f"cannot load checkpoint {uri}: {error}") from None

    # ---- result ----
    def write_result(self, metrics=None, artifacts=None, details=None, status="succeeded", device=None) -> dict:
        """Flush events.jsonl, then write result.json — last, so its presence means the attempt is finished."""
        if self.result_written:
            raise RuntimeError("result.json was already written for this attempt")
        if status not in ("succeeded", "failed"):
            raise ValueError(f"status must be 'succeeded' or 'failed', got {status!r}")
        if device is None:
            device = self._device.type if self._device is not None else "cpu"
        result = {
            "contract": CONTRACT_VERSION,
            "jobId": self.job["jobId"],
            "mode": self.job["mode"],
            "status": status,
            "metrics": {str(k): finite_or_none(v) for k, v in (metrics or {}).items()},
            "artifacts": dict(artifacts or {}),
            "details": dict(details or {}),
            "device": str(device),
            "startedAt": self.started_at,
            "finishedAt": utc_now(),
            "trainer": dict(self.trainer),
            "resumedFromEpoch": self.resumed_from_epoch,
        }
        self.events.flush()
        self.store.put_json(self.uri("result.json"), result)
        self.result_written = True
        return result
