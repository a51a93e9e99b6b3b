"""Tests of povtrack's actions."""
