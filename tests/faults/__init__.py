"""Tests of povtrack's faults."""
