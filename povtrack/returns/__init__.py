"""Reading weekly returns: the cell grammar, CSV text and Excel workbooks. For users:
docs/returns.md."""
