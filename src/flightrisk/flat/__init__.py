"""A flat HR table you bring: its catalog (id, label, protected, derived columns) and the table → feature frame."""
