"""Tests of povtrack's cli."""
