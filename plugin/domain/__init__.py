"""Tandem's rules and value types: no web framework, no database, no LTI (numpy and OR-Tools for matching)."""
