"""The renderer: timeline -> render plan (graph/, pure) -> FFmpeg (run/) -> MP4 + poster.

graph/   the pure compiler: filter graphs, timing, Ken Burns, the plans
draw/    the in-process renderer's frames, drawn in numpy
text/    captions, fonts, layout, text sprites
media/   ingest, probing, sources, music loops, loudness, the poster
run/     encoders, the runner, the pipelined render, segments and their join
service  the render use case that ties them together
"""
