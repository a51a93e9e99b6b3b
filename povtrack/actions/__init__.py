"""What the commands do, between the command line and the database: the writes (record,
import, correct, undo, target set, the demo), the shared inbox, and where ``-o`` may write.

Imports ``storage``, ``returns``, ``analysis``, ``output`` and the core, never ``cli``
(docs/development.md, "The layers"). Nothing here prints: results and warnings go back to the
caller.
"""
