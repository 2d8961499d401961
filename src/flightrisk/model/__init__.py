"""Training, calibration, baselines, metrics and the model artifact."""
