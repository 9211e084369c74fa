"""Run every benchmark, or those named on the command line: ``python -m bench [NAME ...]``.

A benchmark is a module of this package listed in ``BENCHMARKS`` with a ``main(argv)``
function that prints its own table and returns a process exit code.
"""

import argparse
import importlib
import sys

BENCHMARKS = (
    "container",
    "fusion",
    "report",
    "throughput",
    "build_list",
    "api_status",
    "large_app",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="skip the largest inputs")
    args = parser.parse_args(argv)

    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    status = 0
    for name in args.names or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"== benchmark: {name} ==", flush=True)
        status = max(status, module.main(["--quick"] if args.quick else []))
    return status


if __name__ == "__main__":
    sys.exit(main())
