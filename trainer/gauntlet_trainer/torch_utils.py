"""Device choice, seeding and RNG capture: what makes a resumed run bit-identical to an uninterrupted one."""
import os


def resolve_device(preference: str):
    """`auto` -> cuda when available; `cuda` without a GPU is an error the orchestrator may retry elsewhere."""
    import torch

    if preference == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("job.device is 'cuda' but torch.cuda.is_available() is false on this node")
    if preference == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda")


def make_deterministic(seed: int, device) -> None:
    import torch

    # cuBLAS needs this set before its first use to be deterministic (torch 2.x errors/warns otherwise).
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.manual_seed(seed)
    try:
        # warn_only: an op without a deterministic kernel should warn (stderr), not kill a training job.
        torch.use_deterministic_algorithms(True, warn_only=True)
    except (AttributeError, TypeError):  # very old torch
        pass
    if device.type == "cpu":
        torch.set_num_threads(1)  # intra-op thread count changes float reduction order
    else:
        torch.backends.cudnn.benchmark = False


def epoch_generator(seed: int, epoch: int):
    """A CPU generator per (seed, epoch): the shuffle order of an epoch never depends on what ran before it."""
    import torch

    return torch.Generator().manual_seed((seed * 1_000_003 + epoch) % (2**63))


def capture_rng_state(device) -> dict:
    import torch

    state = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict, device) -> None:
    import torch

    # RNG states are CPU byte tensors; a checkpoint loaded with map_location="cuda" has them on the GPU, which
    # set_rng_state refuses, so they go back to the CPU first (a no-op for a CPU-loaded checkpoint).
    torch.set_rng_state(state["torch"].cpu())
    # A checkpoint written on CPU and resumed on GPU (or vice versa) keeps the CPU stream; CUDA streams only restore
    # onto the same kind of device.
    if device.type == "cuda" and state.get("cuda") is not None:
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])


def scheduler_state(scheduler) -> dict:
    """LR scheduler state without callables: torch 1.13's OneCycleLR keeps a bound method in its state dict, which
    would pickle the whole optimizer and break `torch.load(weights_only=True)`."""
    return {key: value for key, value in scheduler.state_dict().items() if not callable(value)}
