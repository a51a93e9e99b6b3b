"""povtrack: progress against the targets of Datong's 2018 poverty-alleviation plan."""

__version__ = "0.4.0"
