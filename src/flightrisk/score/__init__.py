"""Batch scoring and the MLflow pyfunc model."""
