"""Table contracts: pandera schemas of the raw HRIS tables, and cross-table checks."""

from flightrisk.schema.raw import RAW_TABLES, load_raw, validate_raw

__all__ = ["RAW_TABLES", "load_raw", "validate_raw"]
