"""Training, evaluation, MLflow tracking and the model registry. Never imports `serving`."""
