"""Repeats: a corrected error that appears again, in another article of the archive or in a draft.

`matching` finds a known error's wrong words in a text, verbatim or lightly reworded, and tells them from the
right words.
"""
