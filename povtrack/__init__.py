"""povtrack: progress against the targets of Datong's 2018 poverty-alleviation plan.

Run as the program (``python -m povtrack``, or the ``povtrack`` command), povtrack answers
SIGINT and SIGTERM from its first lines, here, on: until the command line takes over (``main``
in ``cli.app``), a signal ends the process at once with exit 128+N and the one line
"interrupted (nothing written)" (nothing has been written yet), not a traceback from the middle
of importing typer and rich. Imported as a library, or by the tests, it leaves signals alone.
"""

import os
import signal
import sys


def _interrupted_early(signum: int, frame: object) -> None:
    try:
        os.write(2, b"interrupted (nothing written)\n")
    finally:
        os._exit(128 + signum)


# While `python -m povtrack` imports this package, sys.argv[0] is "-m"; the `povtrack`
# command (a console script) is itself named povtrack.
if sys.argv and (sys.argv[0] == "-m" or os.path.basename(sys.argv[0]) == "povtrack"):
    signal.signal(signal.SIGINT, _interrupted_early)
    signal.signal(signal.SIGTERM, _interrupted_early)

__version__ = "0.5.0"
