"""Tests of povtrack's analysis."""
