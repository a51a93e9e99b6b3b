"""Where the project's own files are, for tests in any folder under tests/: the project root,
the schema fixtures (tests/fixtures/, see its README) and the sample returns."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE_RETURNS = ROOT / "sample_data" / "returns"
