"""mode `inspect`: the reference trainer's model inputs for job.split — pixels divided by `inputScale` (the job's
hyperparameter, or the checkpoint's when job.checkpoint is given, as evaluate uses it) — with the labels they are
trained with. Split `train` is replayed in the order and pairing of training epoch 1 (so the shuffleLabels knob shows
up as labels that no longer line up with their inputs). Statistics: gauntlet_trainer/inspection.py."""
import torch

from gauntlet_trainer import load_dataset
from gauntlet_trainer.inspection import in_training_order, write_inspection
from gauntlet_trainer.torch_utils import epoch_generator

from .batches import batches, split_tensors
from .hparams import parse_hyperparameters
from .model import check_checkpoint


def run_inspect(session):
    job = session.job
    hp = parse_hyperparameters(job["hyperparameters"])
    dataset = load_dataset(session.store, job["data"], require_labels=False)
    scale, source = hp["inputScale"], "inputScale"
    if job["checkpoint"]:
        state = session.load_checkpoint(map_location="cpu")
        check_checkpoint(state, dataset.features.shape[1], job["data"]["numClasses"])
        scale, source = state["model_config"]["input_scale"], "the checkpoint's inputScale"
    inputs, labels, rows = split_tensors(dataset, job["split"], scale, torch.device("cpu"))
    order = "split"
    if job["split"] == "train":
        inputs, labels, rows = in_training_order(inputs, labels, rows, lambda positions, paired: batches(
            positions, paired, job["batchSize"], epoch_generator(job["seed"], 1), hp["shuffleLabels"]))
        order = "training"
    return write_inspection(session, inputs, labels, rows, dataset.feature_names, order,
                            preprocessing=f"x / {scale:g} ({source})")
