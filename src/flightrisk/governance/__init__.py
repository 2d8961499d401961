"""Accountability: records of what was done with the report, and the data subject's rights."""
