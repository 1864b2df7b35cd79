"""Scenario checker for Kimberly School District Policy 5290 (standard library only)."""

__version__ = "0.1.0"
