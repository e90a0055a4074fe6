"""The ``logibridge`` command line: the wheel's ``logibridge`` console script and
``python -m logibridge``.

The command line is the Rust crate ``logibridge-cli`` (the same as ``cargo install --path
cli`` builds), run in this process by :func:`logibridge._native.cli_main`:
``logibridge --help`` lists its commands and exit codes.
"""

from __future__ import annotations

import signal
import sys

from . import _native


def main() -> None:
    """Runs ``logibridge`` with this process's arguments and exits with its exit code."""
    # The command writes to file descriptors 1 and 2 itself; what Python holds goes first.
    sys.stdout.flush()
    sys.stderr.flush()
    # Python's SIGINT handler only notes the signal for the interpreter to raise
    # KeyboardInterrupt at its next bytecode. The command runs in Rust with the GIL released
    # and does not come back until it ends, so Ctrl-C would wait for a slow call, a long
    # conversion or a sync to finish. The default action ends the process at once, as it
    # ends the Rust binary; the commands that shut down on Ctrl-C (sandbox, webhook serve)
    # install their own handler over it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    raise SystemExit(_native.cli_main(["logibridge", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
