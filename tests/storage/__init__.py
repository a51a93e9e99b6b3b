"""Tests of povtrack's storage."""
