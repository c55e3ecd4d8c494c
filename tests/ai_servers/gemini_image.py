"""Gemini's image answers on ``generateContent`` (the IMAGE response modality): inline data."""

from __future__ import annotations

import base64
import io
import json

from PIL import Image

from tests.ai_servers.base import Reply


def image_generated(data: bytes, mime_type: str = "image/png") -> Reply:
    part = {"inlineData": {"mimeType": mime_type, "data": base64.b64encode(data).decode()}}
    body = {
        "candidates": [
            {"content": {"parts": [part], "role": "model"}, "finishReason": "STOP", "index": 0}
        ],
        "modelVersion": "test-image-model",
    }
    return Reply(200, json.dumps(body).encode())


def text_only(text: str = "I cannot draw that.") -> Reply:
    body = {
        "candidates": [
            {"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP"}
        ]
    }
    return Reply(200, json.dumps(body).encode())


def png(size: tuple[int, int] = (48, 32)) -> bytes:
    """A small real PNG, for the server to answer with."""
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "PNG")
    return out.getvalue()
