"""Helpers shared by the tests (importable as `support`: pyproject puts tests/ on pytest's path).
Test-only code lives here, not in the course's package."""
