# The reference trainer image for the kubernetes executor: the job contract's Python side and PyTorch.
# Build from the repository root:  docker build -f deploy/docker/trainer.Dockerfile -t gauntlet-trainer:1.0.0 .
# CUDA: swap the base for a pytorch/pytorch CUDA runtime image; the trainer picks CUDA when torch sees a GPU.
FROM python:3.11-slim
RUN pip install --no-cache-dir torch --index-url https://download.pytorch.org/whl/cpu \
 && pip install --no-cache-dir numpy scikit-learn boto3
WORKDIR /app
COPY trainer/ /app/trainer/
ENV PYTHONPATH=/app/trainer PYTHONUNBUFFERED=1
# The pipeline's kubernetes.command defaults to exactly this.
CMD ["python3", "/app/trainer/reference_trainer.py"]
