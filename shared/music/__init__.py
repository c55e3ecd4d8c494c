"""The music chain and its offline composer: see chain.py."""
