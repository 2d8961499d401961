"""The world file: a frozen description of the simulated organisation (SPEC.md, "World file")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from flightrisk import LEVERS
from flightrisk.errors import InputError
from flightrisk.io import read_yaml


@dataclasses.dataclass(frozen=True)
class World:
    """Every knob of the simulation. Defaults are the default world of SPEC.md."""

    seed: int = 42
    reps: int = 5000
    months: int = 48
    start: dt.date = dt.date(2023, 1, 1)
    currency: str = "SEK"
    annual_voluntary_attrition: float = 0.25
    annual_involuntary_attrition: float = 0.05
    lever_strength: dict[str, float] = dataclasses.field(
        default_factory=lambda: {lever: 1.0 for lever in LEVERS}
    )
    manager_effect_sd: float = 0.3
    # Futures per snapshot month for the counterfactual truth (truth/risk.parquet, interventions);
    # 0 skips it. Enough that a typical person's 12-month standard error stays under 0.02.
    truth_futures: int = 24

    def to_dict(self) -> dict[str, Any]:
        """Plain, YAML-ready form (the copy `synth` writes beside the extract)."""
        out = dataclasses.asdict(self)
        out["start"] = self.start.isoformat()
        out["lever_strength"] = dict(self.lever_strength)
        return out


def _fail(source: str, message: str) -> InputError:
    return InputError(f"{source}: {message}")


def world_from_dict(raw: dict[str, Any] | None, source: str = "world file") -> World:
    """Build a World from parsed YAML, rejecting unknown keys and out-of-range values."""
    raw = dict(raw or {})
    known = {f.name for f in dataclasses.fields(World)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _fail(source, f"unknown key(s) {unknown}; allowed keys are {sorted(known)}")
    kwargs: dict[str, Any] = {}
    for name in ("seed", "reps", "months", "truth_futures"):
        if name in raw:
            value = raw[name]
            if not isinstance(value, int) or isinstance(value, bool):
                raise _fail(source, f"'{name}' must be a whole number, got {value!r}") from None
            kwargs[name] = value
    if "start" in raw:
        value = raw["start"]
        if isinstance(value, dt.date):
            kwargs["start"] = value
        else:
            try:
                kwargs["start"] = dt.date.fromisoformat(str(value))
            except ValueError:
                raise _fail(source, f"'start' must be an ISO date like 2023-01-01, got {value!r}") from None
        if kwargs["start"].day != 1:
            raise _fail(source, "'start' must be the first day of a month")
    if "currency" in raw:
        kwargs["currency"] = str(raw["currency"])
    for name in ("annual_voluntary_attrition", "annual_involuntary_attrition", "manager_effect_sd"):
        if name in raw:
            try:
                kwargs[name] = float(raw[name])
            except (TypeError, ValueError):
                raise _fail(source, f"'{name}' must be a number, got {raw[name]!r}") from None
    if "lever_strength" in raw:
        given = raw["lever_strength"] or {}
        if not isinstance(given, dict):
            raise _fail(source, "'lever_strength' must be a mapping of lever family to number")
        bad = sorted(set(given) - set(LEVERS))
        if bad:
            raise _fail(source, f"unknown lever(s) {bad} in 'lever_strength'; levers are {list(LEVERS)}")
        strengths = {lever: 1.0 for lever in LEVERS}
        for lever, value in given.items():
            try:
                strengths[lever] = float(value)
            except (TypeError, ValueError):
                raise _fail(source, f"lever_strength.{lever} must be a number, got {value!r}") from None
            if strengths[lever] < 0:
                raise _fail(source, f"lever_strength.{lever} must be 0 or more, got {value!r}") from None
        kwargs["lever_strength"] = strengths
    world = World(**kwargs)
    _check_ranges(world, source)
    return world


def _check_ranges(world: World, source: str) -> None:
    if world.reps < 20:
        raise _fail(source, f"'reps' must be at least 20 (a few teams), got {world.reps}")
    if not 1 <= world.months <= 240:
        raise _fail(source, f"'months' must be between 1 and 240, got {world.months}")
    for name in ("annual_voluntary_attrition", "annual_involuntary_attrition"):
        value = getattr(world, name)
        if not 0 < value < 1:
            raise _fail(source, f"'{name}' must be a share between 0 and 1, got {value}")
    if world.manager_effect_sd < 0:
        raise _fail(source, "'manager_effect_sd' must be 0 or more")
    if not 0 <= world.truth_futures <= 10_000 or world.truth_futures == 1:
        raise _fail(
            source, f"'truth_futures' must be 0 (no truth) or from 2 to 10000, got {world.truth_futures}"
        )


def load_world(path: Path | None, **overrides: Any) -> World:
    """Read a world file (or the defaults when `path` is None) and apply CLI overrides."""
    raw: dict[str, Any] = {}
    source = "default world"
    if path is not None:
        source = str(path)
        if not Path(path).is_file():
            raise InputError(f"{path}: world file not found; pass an existing YAML file to --world")
        raw = read_yaml(Path(path)) or {}
        if not isinstance(raw, dict):
            raise InputError(f"{path}: the world file must be a mapping of keys to values")
    raw.update({k: v for k, v in overrides.items() if v is not None})
    return world_from_dict(raw, source)
