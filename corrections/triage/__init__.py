"""The editors' queue: filters, snapshot, saved views and search."""
