"""Tests of povtrack's core."""
