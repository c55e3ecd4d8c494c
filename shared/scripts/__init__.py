"""The ad-script capability: a brief in, a script that fits its length out, through a chain."""
