"""``python -m gpu_subscriber [--worker-id ID] [--check]``

Runs until SIGTERM / Ctrl-C. ``--check`` is the liveness probe (for systemd or a container
HEALTHCHECK): exit 0 if this worker's heartbeat says it is online (fresh, and pulling when idle).
"""

from __future__ import annotations

import argparse
import sys

from gpu_subscriber.subscriber import build_loop, default_worker_id
from shared.logs import configure_logging
from shared.pipeline.heartbeat import is_online
from shared.pipeline.services import bootstrap
from shared.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gpu_subscriber", description=__doc__)
    parser.add_argument("--worker-id", default=default_worker_id())
    parser.add_argument("--check", action="store_true", help="liveness probe, then exit")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    ports = bootstrap(settings)
    if args.check:
        beat = ports.workers.get(args.worker_id)
        online = beat is not None and is_online(beat, ports.workers.now())
        print(f"{args.worker_id}: {'online' if online else 'NOT online'}")
        return 0 if online else 1
    loop = build_loop(ports, args.worker_id)
    loop.install_signal_handlers()
    return loop.run()


if __name__ == "__main__":
    sys.exit(main())
