"""Forming peer circles from a programme pool (hard rules: size, no manager, shared language; diversity as the score)."""
