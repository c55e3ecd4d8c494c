"""The renderer: timeline -> render plan (pure compiler) -> FFmpeg (runner) -> MP4 + poster."""
