#!/usr/bin/env python3
"""Gauntlet's reference trainer: a small MLP on tabular features (the digits example), every job-contract mode (inspect
included: the statistics of its model inputs), and a simulated annotator for mode `label`.

    GAUNTLET_JOB='{...}' GAUNTLET_STORAGE_ENDPOINT=http://127.0.0.1:9000 GAUNTLET_STORAGE_ACCESS_KEY=... \\
    GAUNTLET_STORAGE_SECRET_KEY=... python3 trainer/reference_trainer.py

Contract: core/spec/job.ts. Modes live in gauntlet_reference/ (one module per concern); hyperparameters and the
test knobs (shuffleLabels, freeze, slowdownSeconds) are documented in gauntlet_reference/hparams.py, the simulated
annotator's settings in gauntlet_reference/annotate.py.
"""
import importlib
import os
import sys

# Runnable as a plain script: the helper library and the modes sit next to this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gauntlet_trainer  # noqa: E402
from gauntlet_reference import NAME, VERSION  # noqa: E402

# mode -> (module of gauntlet_reference, function). Imported lazily, only the job's own mode: a bad job document exits 2
# before torch (seconds to import) is loaded, and a label job (annotate: no torch at all) never loads it.
MODES = {
    "train": ("train", "run_train"),
    "evaluate": ("evaluate", "run_evaluate"),
    "predict": ("evaluate", "run_predict"),
    "lr_range_test": ("lr_test", "run_lr_range_test"),
    "overfit_check": ("overfit", "run_overfit_check"),
    "inspect": ("inspection", "run_inspect"),
    "label": ("annotate", "run_label"),
}
NO_TORCH_MODES = ("label",)


def main(session):
    module, function = MODES[session.job["mode"]]
    run_mode = getattr(importlib.import_module(f"gauntlet_reference.{module}"), function)
    if session.job["mode"] not in NO_TORCH_MODES:
        session.log(f"device: {session.device}")  # resolving the device imports torch
    return run_mode(session)


if __name__ == "__main__":
    gauntlet_trainer.run(main, name=NAME, version=VERSION)
