"""Media in and out: validation and normalisation, probing, sources, music loops, loudness and
the poster."""
