"""The GPU subscriber: one worker process per GPU box (``python -m gpu_subscriber``)."""

__version__ = "0.1.0"
