"""Code shared by the functions, the workers and the CLI: a pure core and thin adapters."""
