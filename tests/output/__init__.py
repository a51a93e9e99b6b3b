"""Tests of povtrack's output."""
