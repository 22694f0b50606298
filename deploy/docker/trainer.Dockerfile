# The reference trainer image (CPU) for the kubernetes executor: the job contract's Python side and PyTorch.
# Build from the repository root:  docker build -f deploy/docker/trainer.Dockerfile -t gauntlet-trainer:0.1.0 .
# On GPU nodes use trainer-cuda.Dockerfile (same files, a CUDA base). Base and packages pinned to exact versions.
FROM python:3.12.12-slim-bookworm
COPY deploy/docker/trainer-requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.7.1 \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /app gauntlet
WORKDIR /app
COPY trainer/ /app/trainer/
ENV PYTHONPATH=/app/trainer PYTHONUNBUFFERED=1
USER 10001:10001
# The pipeline's kubernetes.command defaults to exactly this.
CMD ["python3", "/app/trainer/reference_trainer.py"]
