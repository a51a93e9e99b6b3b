"""The tests: one folder per layer of povtrack (see tests/CATALOGUE.md for the faults)."""
