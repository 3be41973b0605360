"""Plumbing that carries what a domain decided and decides nothing itself."""
