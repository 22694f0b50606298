#!/usr/bin/env python3
"""Gauntlet's reference trainer: a small MLP on tabular features (the digits example), every job-contract mode.

    GAUNTLET_JOB='{...}' GAUNTLET_STORAGE_ENDPOINT=http://127.0.0.1:9000 GAUNTLET_STORAGE_ACCESS_KEY=... \\
    GAUNTLET_STORAGE_SECRET_KEY=... python3 trainer/reference_trainer.py

Contract: core/spec/job.ts. Modes live in gauntlet_reference/ (one module per concern); hyperparameters and the
test knobs (shuffleLabels, freeze, slowdownSeconds) are documented in gauntlet_reference/hparams.py.
"""
import os
import sys

# Runnable as a plain script: the helper library and the modes sit next to this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gauntlet_trainer  # noqa: E402
from gauntlet_reference import NAME, VERSION  # noqa: E402


def main(session):
    # Imported lazily so a bad job document exits 2 before torch (seconds to import) is loaded.
    from gauntlet_reference.evaluate import run_evaluate, run_predict
    from gauntlet_reference.lr_test import run_lr_range_test
    from gauntlet_reference.overfit import run_overfit_check
    from gauntlet_reference.train import run_train

    modes = {"train": run_train, "evaluate": run_evaluate, "predict": run_predict,
             "lr_range_test": run_lr_range_test, "overfit_check": run_overfit_check}
    session.log(f"device: {session.device}")
    return modes[session.job["mode"]](session)


if __name__ == "__main__":
    gauntlet_trainer.run(main, name=NAME, version=VERSION)
