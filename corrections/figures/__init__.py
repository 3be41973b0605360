"""Figures about the work: editors' metrics and the public transparency page."""
