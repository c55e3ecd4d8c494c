"""OpenCV, set up once for the renderer: every module takes ``cv2`` from here.

Single-threaded: a render already keeps every core busy (the encoder's threads), and OpenCV's
own thread pool then only adds hand-offs and spinning: measured on the reference render, one
thread saves about half a CPU second and costs no wall time.
"""

import cv2

cv2.setNumThreads(1)

__all__ = ["cv2"]
