"""The Rich views: the status, plan, areas and log tables, the board, trend and diff, missing,
completeness and explain. Each fits the terminal's width by saying less, never by cutting a name
or a figure, and shows text escaped (``tables.SafeTable``, ``povtrack.textsafe``).
"""
