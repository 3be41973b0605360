"""Articles: their content, every revision of it, and changes made without a notice."""
