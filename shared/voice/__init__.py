"""The voice capability: the voice chain (ElevenLabs -> espeak-ng), word timings, the voice list."""
