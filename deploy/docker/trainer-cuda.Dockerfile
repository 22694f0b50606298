# The reference trainer image for NVIDIA GPU nodes: the same trainer on a CUDA 12.6 runtime (Ubuntu 24.04, Python
# 3.12) with PyTorch's cu126 wheel; the trainer uses CUDA when torch sees a GPU (the nvidia.com/gpu limit).
# Build from the repository root:  docker build -f deploy/docker/trainer-cuda.Dockerfile -t gauntlet-trainer:0.1.0-cuda .
FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
# A virtual environment: Ubuntu 24.04's system Python refuses pip installs (PEP 668).
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY deploy/docker/trainer-requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cu126 torch==2.7.1 \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /app gauntlet
WORKDIR /app
COPY trainer/ /app/trainer/
ENV PYTHONPATH=/app/trainer PYTHONUNBUFFERED=1
USER 10001:10001
CMD ["python3", "/app/trainer/reference_trainer.py"]
