"""Reader reports: filing them, their workflow, and everything decided about one report."""
