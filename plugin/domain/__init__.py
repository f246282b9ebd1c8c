"""Tandem's rules and value types: standard library only."""
