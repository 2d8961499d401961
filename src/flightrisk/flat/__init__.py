"""Bring your own HR table: one row per person, a column that says who left."""
