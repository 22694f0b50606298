"""Stage 2 of the two-stage digits-canvas demo (`demo:digits-canvas`): read the digit in one cell of the canvas.

The canvas is 24x24 pixels, p0..p575 row-major, a 3x3 grid of 8x8 cells. Stage 1 (the locator) says which cell holds
the digit; this reader crops that cell and classifies it with a small MLP. Which column names the cell is the
hyperparameter `cellColumn` (default `cell`, the ground truth; in a two-stage pipeline, the column the hand-off
appends, e.g. `cell_pred`). The reader takes only the 576 pixels and that column as inputs (`columns=` below), so the
label `digit`, the group `image` and any other column never reach the model, whatever data.ignoreColumns says.

Every training mode works through the Learner (train, evaluate, predict, lr_range_test, overfit_check, inspect):

    PYTHONPATH=trainer python3 examples/two-stage/crop_reader.py      (GAUNTLET_JOB + GAUNTLET_STORAGE_* set)
"""
import torch
from torch import nn

import gauntlet_trainer as gt

GRID, CELL = 3, 8  # cells per side, pixels per cell side
SIDE = GRID * CELL
PIXELS = [f"p{i}" for i in range(SIDE * SIDE)]


def columns(feature_names, hp):
    """The canvas, then the cell column: the crop below relies on that order."""
    name = hp["cellColumn"]
    if name in PIXELS:
        raise gt.BadInput("hyperparameters.cellColumn", f"{name!r} is a pixel column, not a cell column")
    if name not in feature_names:
        raise gt.BadInput("hyperparameters.cellColumn", f"{name!r} is not a feature column of the data (the label "
                                                        "column and data.ignoreColumns are not features)")
    missing = [pixel for pixel in PIXELS if pixel not in feature_names]
    if missing:
        raise gt.BadInput("data.uri", f"this reader wants a {SIDE}x{SIDE} canvas p0..p{SIDE * SIDE - 1}; the data lacks "
                                      f"{len(missing)} of those columns ({missing[0]}, ...)")
    return PIXELS + [name]


class CropCell:
    """Preprocessing: the 8x8 cell the last input column names, as 64 pixels / 16. Stateless but for the scale."""

    def fit(self, features, hp):
        return {"factor": 16.0}

    def transform(self, features, state):
        cells = features[:, -1]
        bad = (cells != cells.round()) | (cells < 0) | (cells > GRID * GRID - 1)
        if bool(bad.any()):
            value = cells[bad.nonzero()[0, 0]].item()
            raise gt.BadInput("hyperparameters.cellColumn", f"the cell column holds {value:g}, not a cell "
                                                            f"0..{GRID * GRID - 1}")
        cell = cells.long()
        canvas = features[:, :-1].reshape(-1, GRID, CELL, GRID, CELL)  # [row, cell row, y, cell column, x]
        crops = canvas[torch.arange(len(cell)), cell // GRID, :, cell % GRID, :]  # [row, y, x]
        return crops.reshape(len(cell), CELL * CELL) / state["factor"]


def model(hp, num_features, num_classes):
    # num_features counts the canvas and the cell column; the model sees the 64-pixel crop.
    return nn.Sequential(nn.Linear(CELL * CELL, hp["hidden"]), nn.ReLU(), nn.Dropout(hp["dropout"]),
                         nn.Linear(hp["hidden"], num_classes))


learner = gt.Learner(
    model,
    name="crop-reader",
    version="0.1.0",
    hyperparameters={"hidden": gt.param(64, ge=1), "dropout": gt.param(0.1, ge=0, lt=1),
                     "cellColumn": gt.param("cell")},
    preprocess=CropCell(),
    columns=columns,
)

if __name__ == "__main__":
    learner.run()
