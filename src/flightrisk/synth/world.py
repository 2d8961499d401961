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
    # A change of regime: from month `month` of the simulation on (0 = the first), the lever strengths
    # given here replace the ones above (a new bonus plan makes pay matter more, say). None: no change.
    regime_change: dict[str, Any] | None = None
    # Futures per snapshot month for the counterfactual truth (truth/risk.parquet, interventions);
    # 0 skips it. Enough that a typical person's 12-month standard error stays under 0.02.
    truth_futures: int = 24

    def to_dict(self) -> dict[str, Any]:
        """Plain, YAML-ready form (the copy `synth` writes beside the extract)."""
        out = dataclasses.asdict(self)
        out["start"] = self.start.isoformat()
        out["lever_strength"] = dict(self.lever_strength)
        if self.regime_change is None:
            out.pop("regime_change")
        else:
            out["regime_change"] = {
                "month": int(self.regime_change["month"]),
                "lever_strength": dict(self.regime_change["lever_strength"]),
            }
        return out

    def strength_at(self, month: int) -> dict[str, float]:
        """Each lever's strength in simulation month `month` (the regime change applied from its month)."""
        if self.regime_change is not None and month >= int(self.regime_change["month"]):
            return {**self.lever_strength, **self.regime_change["lever_strength"]}
        return dict(self.lever_strength)


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
        kwargs["lever_strength"] = {lever: 1.0 for lever in LEVERS} | _strengths(
            raw["lever_strength"], source, "lever_strength"
        )
    if raw.get("regime_change") is not None:
        change = raw["regime_change"]
        if not isinstance(change, dict) or set(change) != {"month", "lever_strength"}:
            raise _fail(source, "'regime_change' must be a mapping with 'month' and 'lever_strength'")
        month = change["month"]
        if not isinstance(month, int) or isinstance(month, bool) or month < 1:
            raise _fail(source, f"regime_change.month must be a whole number from 1, got {month!r}")
        strengths = _strengths(change["lever_strength"], source, "regime_change.lever_strength")
        kwargs["regime_change"] = {"month": month, "lever_strength": strengths}
    world = World(**kwargs)
    _check_ranges(world, source)
    return world


def _strengths(given: Any, source: str, where: str) -> dict[str, float]:
    """Lever strengths from a mapping: known levers, numbers of 0 or more."""
    if not isinstance(given or {}, dict):
        raise _fail(source, f"'{where}' must be a mapping of lever family to number")
    given = given or {}
    bad = sorted(set(given) - set(LEVERS))
    if bad:
        raise _fail(source, f"unknown lever(s) {bad} in '{where}'; levers are {list(LEVERS)}")
    strengths = {}
    for lever, value in given.items():
        try:
            strengths[lever] = float(value)
        except (TypeError, ValueError):
            raise _fail(source, f"{where}.{lever} must be a number, got {value!r}") from None
        if strengths[lever] < 0:
            raise _fail(source, f"{where}.{lever} must be 0 or more, got {value!r}") from None
    return strengths


def _check_ranges(world: World, source: str) -> None:
    if world.reps < 20:
        raise _fail(source, f"'reps' must be at least 20 (a few teams), got {world.reps}")
    if not 1 <= world.months <= 240:
        raise _fail(source, f"'months' must be between 1 and 240, got {world.months}")
    for name in ("annual_voluntary_attrition", "annual_involuntary_attrition"):
        value = getattr(world, name)
        if not 0 < value < 1:
            raise _fail(source, f"'{name}' must be a share between 0 and 1, got {value}")
    if world.regime_change is not None and world.regime_change["month"] >= world.months:
        raise _fail(source, f"regime_change.month must fall inside the {world.months} simulated months")
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
