"""One adapter per AI provider: its SDK, its timeouts, its errors mapped to ``LinkFailed``."""
