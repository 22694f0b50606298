"""`run(main)`: the process boundary of the contract — stdout discipline, exit codes, the failure-time writes.

Exit codes: 0 success (result.json written); 2 BadInput (do not retry); 75 storage unreachable past the retry window
(an outage: retried without counting); 1 any other exception (retryable: the orchestrator reruns the job with
`checkpoint` = the last checkpoint event's URI).
"""
import logging
import os
import sys
import traceback

from . import contract
from .errors import BadInput, StorageUnavailable
from .events import EventLog
from .session import Session
from .store import Store

_log = logging.getLogger("gauntlet_trainer")
_active = None


def current_session() -> Session:
    if _active is None:
        raise RuntimeError("no active job session: call this from inside gauntlet_trainer.run(main)")
    return _active


def claim_stdout():
    """Reserve the real stdout for events and point fd 1 at stderr, so a stray print() — or a native library writing
    to fd 1 — cannot corrupt the JSON-lines stream the executor parses."""
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(events_fd, "w", buffering=1, encoding="utf-8")


def check_modes(modes) -> tuple:
    """The modes a trainer declares: a non-empty list of the contract's mode names (a typo is caught here, not when a
    job in that mode arrives)."""
    if isinstance(modes, str):
        modes = (modes,)
    modes = tuple(modes)
    unknown = [m for m in modes if m not in contract.MODES]
    if not modes or unknown:
        raise BadInput("modes", f"a trainer declares a non-empty list of the contract's modes "
                                f"({', '.join(contract.MODES)}), got {list(modes)!r}")
    return modes


def unsupported_mode(mode, modes, trainer=("custom-trainer", "0.0.0")) -> BadInput:
    """The bad-input error for a job whose mode the trainer does not implement (exit 2: no retry can fix it)."""
    return BadInput("mode", f"{mode!r} is not implemented by this trainer ({trainer[0]} {trainer[1]}); it implements "
                            f"{', '.join(modes)}")


def execute(main, trainer=("custom-trainer", "0.0.0"), stream=None, environ=None, modes=None) -> int:
    """Run `main(session)` under the contract and return the exit code (run() exits with it).

    modes: the job-contract modes `main` implements (default: no check). A job in any other mode exits 2 (bad input,
    a failed result.json naming the mode and the supported ones) before `main` runs."""
    global _active
    stream = stream if stream is not None else sys.stdout
    session = None
    try:
        modes = check_modes(modes) if modes is not None else None
        try:
            job = contract.read_job_document(environ)
        except BadInput as error:
            if error.field != "mode" or modes is None:
                raise
            raise BadInput("mode", f"{error.message}; this trainer ({trainer[0]} {trainer[1]}) implements "
                                   f"{', '.join(modes)}") from None
        session = Session(job, Store.from_env(environ), stream, trainer)
        _active = session
        session.begin()
        if modes is not None and job["mode"] not in modes:
            raise unsupported_mode(job["mode"], modes, trainer)
        returned = main(session)
        if not session.result_written:
            if not isinstance(returned, dict):
                raise RuntimeError("main() returned without writing result.json: call session.write_result(...) "
                                   "or return a dict of write_result arguments")
            session.write_result(**returned)
        return contract.EXIT_SUCCESS
    except BadInput as error:
        _log.error("bad input, not retryable: %s", error)
        _report_failure(stream, session, str(error), error)
        return contract.EXIT_BAD_INPUT
    except StorageUnavailable as error:
        _log.error("%s", error)
        _report_failure(stream, session, str(error), None)
        return contract.EXIT_INFRASTRUCTURE
    except Exception as error:  # noqa: BLE001 — everything unexpected is retryable by contract
        traceback.print_exc(file=sys.stderr)
        _report_failure(stream, session, f"{type(error).__name__}: {error} (retryable)", None)
        return contract.EXIT_RETRYABLE
    finally:
        _active = None


def _report_failure(stream, session, message, bad_input):
    """Best effort: an error event on stdout, events.jsonl, and — for bad input only — a failed result.json.

    A retryable failure writes no result.json: the retried attempt writes the one result. Bad input is final, so its
    result.json (status failed, details.error) lets the orchestrator show the cause without reading logs.
    """
    events = session.events if session else EventLog(stream)
    events.log(message, level="error")
    if session is None or session.result_written:
        return
    try:
        if bad_input is not None:
            session.write_result(status="failed", details={"error": {"field": bad_input.field,
                                                                     "message": bad_input.message}})
        else:
            session.flush_events()
    except Exception as error:  # noqa: BLE001 — storage may be the very thing that failed
        _log.warning("could not record the failure in the store: %s", error)


def run(main, name="custom-trainer", version="0.0.0", modes=None):
    """Entry point for a training script: `run(main)` never returns; it exits with the contract's exit code.

    modes: the modes `main` implements, e.g. `modes=("train",)`; a job in another mode then exits 2 with a message
    naming it, instead of `main` misreading it as training. None (the default) checks nothing: `main` handles
    `session.job["mode"]` itself."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stream = claim_stdout()
    code = execute(main, (name, version), stream, modes=modes)
    stream.flush()
    sys.exit(code)
