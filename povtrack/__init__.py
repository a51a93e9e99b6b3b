"""povtrack: progress against the targets of Datong's 2018 poverty-alleviation plan.

Run as the program (``python -m povtrack``, or the ``povtrack`` command), povtrack answers
SIGINT and SIGTERM from its first lines, here, on: until the command line takes over (``main``
in ``cli.app``), a signal ends the process at once with exit 128+N and the one line
"interrupted (nothing written)" (nothing has been written yet; in Chinese when the command line
or POVTRACK_LANG chose it), not a traceback from the middle of importing typer and rich.
Imported as a library, or by the tests, it leaves signals alone.
"""

import os
import signal
import sys

_EARLY = b"interrupted (nothing written)\n"  # said before the command line has a language


def _interrupted_early(signum: int, frame: object) -> None:
    try:
        os.write(2, _EARLY)
    finally:
        os._exit(128 + signum)


# While `python -m povtrack` imports this package, sys.argv[0] is "-m"; the `povtrack`
# command (a console script) is itself named povtrack.
if sys.argv and (sys.argv[0] == "-m" or os.path.basename(sys.argv[0]) == "povtrack"):
    signal.signal(signal.SIGINT, _interrupted_early)
    signal.signal(signal.SIGTERM, _interrupted_early)
    from povtrack.i18n import command_lang, set_lang, tr

    set_lang(command_lang(sys.argv[1:]))
    _EARLY = tr("已中断（未写入任何内容）\n", "interrupted (nothing written)\n").encode("utf-8")

__version__ = "0.5.0"
