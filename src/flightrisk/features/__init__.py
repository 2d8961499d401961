"""Point-in-time features: monthly snapshots, labels, and one module per lever family."""

from flightrisk.features.build import build_snapshot_features
from flightrisk.features.catalog import Catalog, FeatureSpec, load_catalog

__all__ = ["Catalog", "FeatureSpec", "build_snapshot_features", "load_catalog"]
