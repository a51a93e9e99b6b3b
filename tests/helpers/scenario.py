"""The commands of the backend-neutral scenario (run by tests/helpers/backends.py on every
backend): ``WRITES``, which leave every kind of record and every way an entry can stop
counting, and the reads that look at them from many dates and angles, ``READS`` in the default
run and ``MORE_READS`` under ``-m slow``.

What the writes stress is "which entries count" (povtrack/ledger.py), on the paths a backend
may answer with its own queries (the newest value of a series as of a date, the last reported
dates of the recent pace, sums of increments):

* a correction (of entry 1), a correction of a correction (an increment's old week, counting)
  and a correction of a correction that is then undone (the first one counts again), in the
  weeks the recent pace looks at;
* an undo of an import that stays undone (weeks 15 to 17: reads inside them), and an import
  undone and then put back by an undo of the undo;
* two reports for one date: a record replaced by a later record, an imported increment
  replaced by a record, a record replaced by an import (and back while the import is undone);
* dates out of order: an entry dated after every other recorded before most of them, and an
  entry dated before every other recorded after them; a repeated import that adds nothing;
* a ratio's denominator corrected; fractions, allocations (one due before the plan's date).

An argument may be a placeholder resolved on each database when its command runs: ``Pick``
(the id of the newest entry for one indicator, area and date, whatever its state) and ``Out``
(a file the command writes with ``-o``; its content is compared as the command's output).
"""

from __future__ import annotations

from dataclasses import dataclass

from povtrack.actions.writes import sample_dir

RETURNS = sorted((sample_dir() / "returns").glob("2018-W*.csv"))
RELOCATED = "housing.relocated_people"  # a running total
AFFORESTATION = "ecology.afforestation"  # a running total with fractions
TRAINED = "jobs.trained"  # reported as increments (reporting = "increment")
EXITED = "goals.people_exited"  # the numerator of ...
EXIT_RATE = "goals.people_exit_rate"  # a ratio, in percent
POOR = "goals.poor_people"  # ... and its denominator
GROUP = "six-poor-counties"

# The as-of dates the reads look from (the entries run from 2018-02-25 to 2018-06-24).
BEFORE = "2018-02-18"  # before the first entry
CORRECTED = "2018-03-11"  # the week-10 entries corrected (an increment, a denominator)
UNDONE_WEEK = "2018-W16"  # inside the weeks of the import undone for good
WEEK = "2018-W12"
RECENT = "2018-05-13"  # the corrections in the recent-pace window
LAST = "2018-06-24"  # the newest entry's date (an entry recorded long before others)
AFTER = "2018-12-31"  # after the last entry: the due date of most targets


@dataclass(frozen=True)
class Pick:
    """The id of the newest entry (any state) for this indicator, area and date."""

    indicator: str
    area: str
    date: str

    def __str__(self) -> str:
        return f"#{self.indicator}/{self.area}/{self.date}"


@dataclass(frozen=True)
class Out:
    """A file the command writes (``-o``); ``name``'s suffix is its format."""

    name: str

    def __str__(self) -> str:
        return f"OUT/{self.name}"


Arg = str | Pick | Out

WRITES: list[list[Arg]] = [
    ["init"],
    ["target", "set", RELOCATED, "9000", "--area", "yanggao"],
    ["target", "set", AFFORESTATION, "1234.5", "--area", "tianzhen", "--due", "2018-12-31"],
    ["record", RELOCATED, "5200", "--area", "yanggao", "--date", "2018-03-04", "--note", "县报"],
    ["record", AFFORESTATION, "12.5", "--area", "yanggao", "--date", "2018-03-04"],
    ["record", AFFORESTATION, "13.0", "--area", "yanggao", "--date", "2018-03-11"],
    # dated after every entry to come, recorded before nearly all of them
    ["record", RELOCATED, "3400", "--area", "yunzhou", "--date", LAST],
    ["import", *map(str, RETURNS[:5])],  # weeks 10-14
    ["import", *map(str, RETURNS[5:8])],  # weeks 15-17, undone below for good
    ["import", str(RETURNS[0])],  # already imported: nothing new
    ["correct", "1", "5300", "--reason", "county resubmitted"],
    ["undo", "--batch", "b6", "--reason", "wrong weeks"],
    ["import", *map(str, RETURNS[8:10])],  # weeks 18-19
    ["record", RELOCATED, "5400", "--area", "yanggao", "--date", "2018-03-04"],
    # replaced by the week-20 import, which is undone (this counts again) and put back
    ["record", EXITED, "3100", "--area", "tianzhen", "--date", "2018-05-20"],
    ["import", *map(str, RETURNS[10:12])],  # weeks 20-21
    ["undo", "--reason", "sent twice"],
    ["undo", "--batch", "b13", "--reason", "it was right after all"],  # undo of the undo
    ["target", "set", TRAINED, "2000", "--area", "yanggao"],
    ["target", "set", EXITED, "3600", "--area", "tianzhen", "--due", "2018-09-30"],
    # an increment's old week, corrected, and that correction corrected
    ["correct", Pick(TRAINED, "yanggao", "2018-03-11"), "48", "--reason", "double count"],
    ["correct", Pick(TRAINED, "yanggao", "2018-03-11"), "49", "--reason", "one more"],
    ["record", TRAINED, "52", "--area", "yanggao", "--date", "2018-03-18"],  # replaces
    # in the recent pace's weeks: a correction, and its correction undone
    ["correct", Pick(EXITED, "yanggao", RECENT), "8100", "--reason", "late return"],
    ["correct", Pick(EXITED, "yanggao", RECENT), "9100", "--reason", "typo"],
    ["undo", "--reason", "the first correction was right"],
    ["correct", Pick(POOR, "yanggao", CORRECTED), "25500", "--reason", "register cleaned"],
    # dated before every other entry, recorded after them
    ["record", AFFORESTATION, "11.25", "--area", "yanggao", "--date", "2018-02-25"],
]

# Reads in the default run: every read command, at the dates that matter most.
READS: list[list[Arg]] = [
    ["status", "--json"],
    ["status", "--json", "--as-of", BEFORE],
    ["status", "--json", "--as-of", CORRECTED, "--forecast"],
    ["status", "--json", "--as-of", UNDONE_WEEK, "--forecast"],
    ["status", "--json", "--as-of", RECENT, "--forecast"],
    ["status", "--json", "--as-of", AFTER, "--forecast"],
    ["status", "--json", "--forecast", "--area", "yanggao"],
    ["status", "--json", "--as-of", RECENT, "--area", GROUP],
    ["status", "--json", "--forecast", "--indicator", EXIT_RATE],
    ["status"],
    ["board", "--json"],
    ["board", "--json", "--as-of", UNDONE_WEEK],
    ["check", "--json"],
    ["log", "--json"],
    ["log", "--all", "--json"],
    ["target", "list", "--json"],
    ["missing", "--json"],
    ["missing", "--json", "--week", UNDONE_WEEK],
    ["completeness", "--json", "--weeks", "12", "--as-of", RECENT],
    ["trend", TRAINED, "--json", "--area", "yanggao"],
    ["trend", EXIT_RATE, "--json", "--area", "yanggao"],
    ["explain", TRAINED, "--area", "yanggao", "--json", "--as-of", CORRECTED],
    ["explain", EXIT_RATE, "--area", "yanggao", "--json"],
    ["diff", "--json"],
    ["diff", "--json", "--since", WEEK, "--as-of", RECENT],
    ["report", "--format", "md"],
    ["status", "--format", "csv", "--forecast", "-o", Out("status.csv")],
    ["board", "--as-of", RECENT, "-o", Out("board.xlsx")],
    ["db", "verify", "--json"],
]

# Reads under -m slow: the rest of the dates, options and formats (kept out of the README's
# two-minute test line; CI runs them).
MORE_READS: list[list[Arg]] = [
    ["status", "--json", "--as-of", WEEK, "--forecast"],
    ["status", "--json", "--forecast", "--task", "4"],
    ["board", "--json", "--as-of", AFTER],
    ["check", "--json", "--as-of", RECENT],
    ["log", "--all"],
    ["missing", "--json", "--week", RECENT, "--area", GROUP],
    ["completeness", "--json"],
    ["trend", RELOCATED, "--json"],
    ["explain", RELOCATED, "--area", "yanggao", "--json"],
    ["explain", EXITED, "--area", GROUP, "--json", "--as-of", RECENT],
    ["report", "--format", "html", "--as-of", RECENT],
    ["status", "--json", "--as-of", LAST, "--forecast"],
    ["status", "--json", "--as-of", "2018-04-08", "--forecast", "--area", "tianzhen"],
    ["status", "--json", "--as-of", AFTER, "--area", "deep-poverty"],
    ["status", "--json", "--as-of", RECENT, "--forecast", "--indicator", TRAINED],
    ["status", "--json", "--as-of", AFTER, "--forecast", "--indicator", AFFORESTATION],
    ["status", "--json", "--as-of", CORRECTED, "--forecast", "--task", "3", "--area", GROUP],
    ["status", "--as-of", UNDONE_WEEK, "--task", "0"],
    ["status", "--format", "md", "--as-of", RECENT, "--forecast"],
    ["status", "--as-of", RECENT, "-o", Out("status.xlsx")],
    ["status", "--format", "json", "--as-of", WEEK, "-o", Out("status.json")],
    ["board", "--json", "--as-of", BEFORE],
    ["board", "--json", "--as-of", CORRECTED],
    ["board", "--json", "--as-of", WEEK],
    ["board", "--json", "--as-of", RECENT],
    ["board"],
    ["board", "--format", "csv", "--as-of", UNDONE_WEEK, "-o", Out("board.csv")],
    ["check", "--json", "--as-of", CORRECTED],
    ["check", "--json", "--as-of", WEEK],
    ["check", "--json", "--as-of", AFTER],
    ["log", "--json", "--indicator", TRAINED, "--area", "yanggao"],
    ["log", "--all", "--json", "--indicator", EXITED, "--area", "tianzhen"],
    ["log", "--all", "--json", "--limit", "20"],
    ["log", "--all", "--format", "csv", "-o", Out("log.csv")],
    ["log", "--all", "--indicator", AFFORESTATION, "-o", Out("log.xlsx")],
    ["missing", "--json", "--week", LAST],
    ["missing", "--json", "--week", CORRECTED],
    ["missing", "--json", "--week", WEEK, "--area", "yanggao"],
    ["missing", "--format", "csv", "--week", RECENT],
    ["completeness", "--json", "--weeks", "1", "--as-of", AFTER],
    ["completeness", "--json", "--weeks", "4", "--as-of", UNDONE_WEEK],
    ["completeness", "--as-of", RECENT, "-o", Out("completeness.xlsx")],
    ["trend", TRAINED, "--json"],
    ["trend", EXIT_RATE, "--json", "--area", "zuoyun", "--as-of", RECENT],
    ["trend", AFFORESTATION, "--json", "--area", "yanggao"],
    ["trend", RELOCATED, "--json", "--area", "yunzhou"],
    ["trend", EXITED, "--json", "--area", GROUP, "--as-of", UNDONE_WEEK],
    ["trend", TRAINED, "--format", "csv", "--area", "yanggao"],
    ["explain", EXITED, "--area", "yanggao", "--json", "--as-of", RECENT],
    ["explain", EXITED, "--area", "tianzhen", "--json", "--as-of", "2018-05-20"],
    ["explain", RELOCATED, "--area", "yunzhou", "--json"],
    ["explain", TRAINED, "--json"],
    ["explain", AFFORESTATION, "--area", "yanggao", "--json", "--as-of", CORRECTED],
    ["explain", EXIT_RATE, "--json", "--as-of", CORRECTED],
    ["diff", "--json", "--weeks", "3", "--as-of", LAST],
    ["diff", "--json", "--since", BEFORE, "--as-of", CORRECTED],
    ["diff", "--section", "movers", "--format", "csv", "--as-of", RECENT],
    ["report", "--format", "md", "--as-of", UNDONE_WEEK],
    ["report", "--format", "html"],
    ["report", "--format", "xlsx", "--as-of", RECENT, "-o", Out("report.xlsx")],
]
