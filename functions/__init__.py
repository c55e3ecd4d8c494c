"""Cloud Functions entry points (one module per function; main.py re-exports them)."""
