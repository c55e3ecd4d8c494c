"""The fallback chain every AI capability shares: first available link that answers wins."""

from shared.chains.runner import ChainExhausted, ChainResult, Link, LinkFailed, Skip, run_chain

__all__ = ["ChainExhausted", "ChainResult", "Link", "LinkFailed", "Skip", "run_chain"]
