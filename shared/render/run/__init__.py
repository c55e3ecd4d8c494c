"""Running FFmpeg: the encoder choice, one plan, the pipelined render, and segments rendered
locally or across workers and joined."""
