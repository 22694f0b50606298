"""Checkpoint (de)serialization: torch.save into bytes for the store, torch.load with weights_only where possible."""
import io


def to_bytes(state: dict) -> bytes:
    import torch

    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def from_bytes(data: bytes, map_location="cpu", weights_only=True):
    """weights_only=True refuses arbitrary pickled code: checkpoints hold only tensors, numbers, strings and
    containers. A user script storing other objects can pass weights_only=False for checkpoints it trusts.
    torch 1.x's restricted unpickler cannot even read a float (opcode BINFLOAT), so there it is a full unpickle."""
    import torch

    if weights_only and int(torch.__version__.split(".")[0]) < 2:
        weights_only = False
    return torch.load(io.BytesIO(data), map_location=map_location, weights_only=weights_only)


def checkpoint_name(epoch: int) -> str:
    return f"checkpoints/epoch-{epoch:04d}.pt"
