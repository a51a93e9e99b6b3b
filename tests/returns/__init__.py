"""Tests of povtrack's returns."""
