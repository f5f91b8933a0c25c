"""Fault injection (issue 5 item 5, B6): SIGKILL a real server under join load, race seals.

    python -m bench.faults --kills 100 --races 50 --backend both

The campaigns are the tests' harness (tests/harness): a ``soulmark serve`` SIGKILLed at random
moments under join load and restarted, the store checked after every kill; then rounds sealed
by several processes at once, of which exactly one may write.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from bench.faults_report import run_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--races", type=int, default=50)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    with tempfile.TemporaryDirectory(prefix="soulmark-faults-") as tmp:
        failed = run_all(backends, args.kills, args.races, seed, Path(tmp))
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
