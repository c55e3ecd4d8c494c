"""The pure compiler: a timeline and probed media -> FFmpeg filter graphs and render plans.
No I/O here."""
