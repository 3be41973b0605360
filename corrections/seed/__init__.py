"""Demo content and fake data, made through the domains' own functions."""
