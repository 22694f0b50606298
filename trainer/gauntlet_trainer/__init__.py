"""gauntlet_trainer: speak Gauntlet's job contract v1 from a PyTorch training script.

    import gauntlet_trainer as gt

    def main(session):            # session.job is the validated job document (camelCase keys, defaults filled in)
        ...
        session.report_metric("val_loss", 0.12, epoch=3, split="valid")
        session.save_checkpoint({"model": model.state_dict()}, epoch=3)
        session.write_result(metrics={"val_loss": 0.12})

    gt.run(main, name="my-trainer", version="1.0.0")   # exits 0 / 2 (bad input) / 1 (retryable)

The module-level report_metric / report_lr_point / log act on the session of the running `run(main)`.

Bring your own model instead of writing the modes: `gt.Learner(model_factory, ...).run()` implements all six (see
learner.py). Its names (Learner, Callback, Context, Scale, Standardize, param, default_optimizer) are imported on
first use, so `import gauntlet_trainer` stays fast (torch takes seconds to import) and a bad job exits 2 at once.
"""
from .checkpoint import checkpoint_name
from .contract import (CONTRACT_VERSION, EXIT_BAD_INPUT, EXIT_RETRYABLE, EXIT_SUCCESS, read_job_document,
                       validate_job, validate_schedule)
from .data import Dataset, load_dataset
from .errors import BadInput
from .events import EventLog
from .lr_finder import RangeTestResult, lr_range_test
from .runner import check_modes, current_session, execute, run
from .session import Session
from .store import ObjectNotFound, Store, parse_uri


_LEARNER_NAMES = ("ALL_MODES", "Callback", "Context", "Learner", "Scale", "Standardize", "default_optimizer", "param")


def __getattr__(name):
    if name in _LEARNER_NAMES:
        from . import learner

        return getattr(learner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def report_metric(name, value, epoch=None, step=None, split=None):
    return current_session().report_metric(name, value, epoch=epoch, step=step, split=split)


def report_lr_point(step, lr, loss):
    return current_session().report_lr_point(step, lr, loss)


def log(message, level="info"):
    return current_session().log(message, level)


__all__ = [
    *_LEARNER_NAMES,
    "BadInput", "CONTRACT_VERSION", "Dataset", "EXIT_BAD_INPUT", "EXIT_RETRYABLE", "EXIT_SUCCESS", "EventLog",
    "ObjectNotFound", "RangeTestResult", "Session", "Store", "check_modes", "checkpoint_name", "current_session",
    "execute", "load_dataset", "log", "lr_range_test", "parse_uri", "read_job_document", "report_lr_point",
    "report_metric", "run", "validate_job", "validate_schedule",
]
