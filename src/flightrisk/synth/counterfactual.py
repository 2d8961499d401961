"""Counterfactual truth: pause the simulation at a snapshot, continue it many times, with and without an action.

A paused month is the organisation's complete hidden state at a month-end snapshot (people,
managers, team climate, frailty, quotas, every history), taken just before that month's exits
are drawn — exactly what the snapshot's features could know. Continuing it with fresh random
numbers gives one possible future; many futures give each person's true probability of leaving.

Two choices keep the Monte Carlo cheap and honest:

- **The compensator estimator.** Within one future, a person's chance to leave voluntarily in a
  month, given they are still there, is the simulator's own hazard. Summing it over the months
  the person is still employed (instead of counting the one realised exit) estimates the same
  probability without bias and with a fraction of the variance, so a few dozen futures give a
  standard error under 0.02.
- **Common random numbers.** The arm with an action and the arm without it continue from the
  same state with the same random streams, so their difference reflects the action, not luck.
  Streams stay aligned until the first exit that differs between the arms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from flightrisk.config import TrainSettings
from flightrisk.synth.simulate import ACCOUNTS, KAM, TL, PausedMonth, Simulation, simulation_for

HORIZONS = (3, 6, 12)
FORK_STREAM = 104_729  # keeps future streams apart from the recorded run's
GROUP_STREAM = 7_919  # the random split of people into the what-if arms' groups
# The what-if arms treat a quarter of the people each: measured on the five unseen worlds, four
# groups take the spill-over of an action on everyone else to nothing, and eight change nothing more.
ARM_GROUPS = 4


def truth_snapshot_months(world, settings: TrainSettings | None = None) -> list[int]:
    """Simulation months whose true risk is written: the default holdout months and the latest month."""
    settings = settings or TrainSettings()
    latest = world.months - 1
    last_labelled = latest - settings.horizon_months
    holdout = range(max(last_labelled - settings.holdout_months + 1, 0), last_labelled + 1)
    return sorted({*holdout, latest})


# ------------------------------------------------------------------ interventions
# Each changes the hidden state the way the real action would. `persons` are simulator indices
# of people active at the paused month `t`. Documented in docs/simulator.md.


def _peer_median_pay(sim: Simulation, persons: np.ndarray, t: int) -> np.ndarray:
    """Median base pay of active peers (role, level, region), at least 5 of them, else role and region."""
    active = np.flatnonzero(sim.active[: sim.n])
    medians = np.full(len(persons), np.nan)
    for keys in (("role", "level", "region"), ("role", "region"), ("role",)):
        frame = pd.DataFrame({k: getattr(sim, k)[active] for k in keys} | {"base": sim.base[active]})
        stats = frame.groupby(list(keys))["base"].agg(["median", "count"])
        stats = stats[stats["count"] >= 5]["median"]
        index = (
            pd.MultiIndex.from_arrays([getattr(sim, k)[persons] for k in keys])
            if len(keys) > 1
            else getattr(sim, keys[0])[persons]
        )
        found = stats.reindex(index).to_numpy()
        medians = np.where(np.isnan(medians), found, medians)
    return medians


def raise_pay_to_peer_median(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """Raise base pay to the peer median for those below it."""
    target = _peer_median_pay(sim, persons, t)
    below = sim.base[persons] < target
    who = persons[below]
    sim.base[who] = np.round(target[below], -2)
    sim.last_raise_m[who] = t


def restore_bonus_attainability(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """Set bonus targets the territory can reach."""
    # The bonus is paid on attainment; a target set 10 % below the territory's reach makes it attainable.
    sim.pressure[persons] = np.minimum(sim.pressure[persons], -0.10)


def promote_where_eligible(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """Promote those the simulator's rules allow to be promoted."""
    # A promotion where the simulator's rules allow one: not a Team Lead, a year since the last,
    # and not already at the top (Key Account Manager level 3).
    eligible = (
        (sim.role[persons] < TL)
        & (t - sim.last_promo_m[persons] >= 12)
        & ~((sim.role[persons] == KAM) & (sim.level[persons] == 3))
    )
    who = persons[eligible]
    up_role = sim.level[who] == 3
    sim.role[who] = np.where(up_role, sim.role[who] + 1, sim.role[who])
    sim.level[who] = np.where(up_role, 1, sim.level[who] + 1)
    sim.last_promo_m[who] = t
    market = sim.market_pay(sim.role[who], sim.level[who], sim.region[who], t)
    sim.base[who] = np.round(np.maximum(sim.base[who] * 1.05, market * 0.97), -2)
    sim.last_raise_m[who] = t


def training_plan(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """Bring the last 12 months' training up to 24 hours."""
    # A plan that brings the last 12 months' training up to 24 hours, starting now.
    missing = np.maximum(0.0, 24.0 - sim.train_hist[persons].sum(axis=1))
    sim.train_hist[persons, t % 12] += missing


def monthly_coaching(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """Coaching every month from now on."""
    sim.coach_plan[persons] = 1.0  # coached every month from now on
    sim.coach_hist[persons, t % 6] = 1.0


def recognise_recent_win(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """Recognition this month."""
    sim.last_recog_m[persons] = t


def realistic_quota(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """A quota that grows no faster than the territory."""
    # The quota grows no faster than the territory: no pressure beyond what it can give.
    sim.pressure[persons] = np.minimum(sim.pressure[persons], 0.0)


def rebalance_accounts(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """Accounts cut back to the role's normal load."""
    sim.accounts[persons] = np.minimum(sim.accounts[persons], ACCOUNTS[sim.role[persons]])


def protect_time_off(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """At least 25 days off over the last 12 months, for those employed a year or more."""
    # Time off protected so that the last 12 months hold at least 25 days, starting now. Only where
    # the last 12 months are all the person's own: a rep in their first year has not had a year in
    # which to take 25 days, and bringing them to 25 now would send them on weeks of leave at once,
    # which no manager does (the catalog offers the action from 12 months' tenure on, as it offers a
    # promotion only where the rules allow one).
    who = persons[t - sim.hire_m[persons] >= 12]
    missing = np.maximum(0.0, 25.0 - sim.pto_hist[who].sum(axis=1))
    sim.pto_hist[who, t % 12] += missing


def regular_one_on_ones(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """A 1:1 with the manager every month from now on."""
    sim.checkin_plan[persons] = 1.0  # a 1:1 every month from now on
    sim.last_1on1_m[persons] = t


def celebrate_shared_wins(sim: Simulation, persons: np.ndarray, t: int) -> None:
    """Shared wins celebrated in the teams of those concerned."""
    # A team-level action: the climate of each team concerned improves once, whoever asked.
    teams = np.unique(sim.team[persons])
    sim.climate[teams] += 0.4


INTERVENTIONS: dict[str, Callable[[Simulation, np.ndarray, int], None]] = {
    "raise_pay_to_peer_median": raise_pay_to_peer_median,
    "restore_bonus_attainability": restore_bonus_attainability,
    "promote_where_eligible": promote_where_eligible,
    "training_plan": training_plan,
    "monthly_coaching": monthly_coaching,
    "recognise_recent_win": recognise_recent_win,
    "realistic_quota": realistic_quota,
    "rebalance_accounts": rebalance_accounts,
    "protect_time_off": protect_time_off,
    "regular_one_on_ones": regular_one_on_ones,
    "celebrate_shared_wins": celebrate_shared_wins,
}


# ------------------------------------------------------------------ futures


def _future(
    paused: PausedMonth,
    future: int,
    months: int,
    treatments: Sequence[tuple[str, np.ndarray]] = (),
    measured: np.ndarray | None = None,
) -> np.ndarray:
    """One continuation: per person, the expected voluntary exits within each horizon.

    Without `measured`: for every cohort member, the compensator — the sum over the months they
    are still employed of their monthly hazard (unbiased; the organisation lives as usual).
    With `measured` (simulator indices): those people stay employed in this future, and their
    probability is computed from their whole hazard path, S(m-1) x h(m) summed over months. Their
    own exit is then no longer a coin flip in the future, which removes most of the noise from a
    with-minus-without difference; the price is that their exits do not ripple through their
    teams in this future (the same in both arms, so differences are barely affected).
    `treatments` are (action, simulator indices) applied at the paused month, in order.
    Returns (people, len(HORIZONS)): the cohort, or the measured people, in order.
    """
    sim = paused.fork(future, months, FORK_STREAM)
    contrib = paused.contrib
    for action, persons in treatments:
        INTERVENTIONS[action](sim, persons, paused.t)
    if treatments:
        contrib = paused.rescore(sim)
    who = paused.idx if measured is None else measured
    position = np.full(sim.cap, -1, dtype=np.int64)
    position[who] = np.arange(len(who))
    expected = np.zeros((len(who), len(HORIZONS)))
    surviving = np.ones(len(who))
    horizons = np.asarray(HORIZONS)
    if measured is not None:
        sim.stays = np.zeros(sim.cap, dtype=bool)
        sim.stays[measured] = True

    def listen(t: int, idx: np.ndarray, h_vol: np.ndarray, h_inv: np.ndarray) -> None:
        rows = position[idx]
        mine = rows >= 0
        rows = rows[mine]
        weight = (t - paused.t < horizons).astype(float)  # the horizons this month counts toward
        vol = np.minimum(h_vol[mine], 1.0)
        expected[rows] += (surviving[rows] * vol)[:, None] * weight[None, :]
        if measured is not None:
            surviving[rows] *= 1.0 - np.minimum(h_vol[mine] + h_inv[mine], 1.0)

    sim.hazard_listener = listen
    paused.close_month(sim, contrib)
    for t in range(paused.t + 1, paused.t + months):
        sim.step(t)
    return expected


def true_risk(paused: PausedMonth, futures: int) -> pd.DataFrame:
    """Per person active at the paused month: Monte Carlo P(voluntary exit within 3/6/12 months) and its SE."""
    runs = np.stack([_future(paused, k, max(HORIZONS)) for k in range(futures)])
    mean, se = runs.mean(axis=0), runs.std(axis=0, ddof=1) / np.sqrt(futures)
    frame = pd.DataFrame({"employee_id": paused.ids(), "snapshot_date": paused.snapshot_date})
    for j, h in enumerate(HORIZONS):
        frame[f"risk_{h}m"] = np.clip(mean[:, j], 0.0, 1.0)
        frame[f"se_{h}m"] = se[:, j]
    frame["futures"] = futures
    return frame


def intervention_effects(
    paused: PausedMonth,
    persons: Iterable[str],
    actions: Iterable[str],
    futures: int,
    groups: int = ARM_GROUPS,
) -> pd.DataFrame:
    """True 12-month exit probability with and without each action, for the given people, from the
    same futures (common random numbers). One row per (person, action).

    A what-if asks what an action would do to one person, so a person's effect should not carry
    what the same action does to many others at once. People are split at random into `groups`
    (ARM_GROUPS) disjoint groups, and each arm treats one group: treating everybody in one arm was
    cheap but wrong for an action that reshuffles the organisation. Promoting half of it at once
    moves the peers that everybody's performance is ranked against, so a person the promotion did
    not touch moved by 0.95 points (SD), over a point for one in six; in four groups, 0.03 points
    (docs/benchmarks.md, "The what-if truth treats people in groups"). Everybody is measured in
    every arm and each person's effect is read from their own group's arm.
    """
    ids = pd.Index(paused.ids())
    persons = list(persons)
    rows = ids.get_indexer(persons)
    if (rows < 0).any():
        unknown = [p for p, r in zip(persons, rows, strict=True) if r < 0][:3]
        raise KeyError(f"not active at the paused month: {unknown}")
    sim_index = paused.idx[rows]
    months = max(HORIZONS)
    base = np.stack([_future(paused, k, months, measured=sim_index)[:, -1] for k in range(futures)])
    seed = paused.sim.world.seed
    group = np.random.default_rng([seed, GROUP_STREAM, paused.t]).permutation(len(sim_index)) % groups
    frames = []
    for action in actions:
        if action not in INTERVENTIONS:
            raise KeyError(f"no simulator counterpart for action {action!r}")
        diff = np.empty_like(base)
        for g in np.unique(group):
            mine = group == g
            arm = np.stack(
                [
                    _future(paused, k, months, [(action, sim_index[mine])], measured=sim_index)[:, -1]
                    for k in range(futures)
                ]
            )
            diff[:, mine] = (arm - base)[:, mine]
        frames.append(
            pd.DataFrame(
                {
                    "employee_id": persons,
                    "snapshot_date": paused.snapshot_date,
                    "action": action,
                    "risk_without": base.mean(axis=0),
                    "risk_with": arm.mean(axis=0),
                    "effect": diff.mean(axis=0),
                    "effect_se": diff.std(axis=0, ddof=1) / np.sqrt(futures),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def plan_effects(paused: PausedMonth, plans: dict[str, dict[str, list[str]]], futures: int) -> pd.DataFrame:
    """True 12-month exits averted by whole plans, each a mapping person -> actions taken together.

    Every person active at the paused month is measured (stays employed in both arms), so one
    base arm serves every plan and a plan's effect is the sum of its people's differences; with
    common random numbers the difference reflects the plan, not luck. One row per plan.
    """
    ids = pd.Index(paused.ids())
    months = max(HORIZONS)
    base = np.stack([_future(paused, k, months, measured=paused.idx)[:, -1] for k in range(futures)])
    rows = []
    for name, plan in plans.items():
        by_action: dict[str, list[str]] = {}
        for person, actions in plan.items():
            for action in actions:
                by_action.setdefault(action, []).append(person)
        treatments = []
        for action, persons in by_action.items():
            if action not in INTERVENTIONS:
                raise KeyError(f"no simulator counterpart for action {action!r}")
            found = ids.get_indexer(persons)
            if (found < 0).any():
                raise KeyError(f"not active at the paused month: {persons[int(np.argmin(found))]}")
            treatments.append((action, paused.idx[found]))
        arm = np.stack(
            [_future(paused, k, months, treatments, measured=paused.idx)[:, -1] for k in range(futures)]
        )
        averted = (base - arm).sum(axis=1)  # per future: exits the plan averted in the organisation
        rows.append(
            {
                "plan": name,
                "people": len(plan),
                "true_exits_averted": float(averted.mean()),
                "true_exits_averted_se": float(averted.std(ddof=1) / np.sqrt(futures)),
            }
        )
    return pd.DataFrame(rows)


def _treatments(paused: PausedMonth, assigned: dict[str, list[str]]) -> list[tuple[str, np.ndarray]]:
    """(action, simulator indices) for `{option: people}`; an option is one action or several joined
    by " + " (a plan's pair), each applied to its people."""
    ids = pd.Index(paused.ids())
    out = []
    for option, persons in assigned.items():
        found = ids.get_indexer(list(persons))
        if (found < 0).any():
            raise KeyError(f"not active at the paused month: {list(persons)[int(np.argmin(found))]}")
        for action in option.split(" + "):
            if action not in INTERVENTIONS:
                raise KeyError(f"no simulator counterpart for action {action!r}")
            out.append((action, paused.idx[found]))
    return out


def realised_future(
    paused: PausedMonth, assigned: dict[str, list[str]], future: int, months: int = 12
) -> pd.DataFrame:
    """One future as it would happen, with the actions in `assigned` ({option: people}) taken at the
    paused month: who left, when and how, for everyone active then (employee_id, months until the
    exit counted as the labels count it, termination_type; NaN / None for those still there).
    This is the "months pass" of a simulated plan: its records can then be measured like real ones."""
    sim = paused.fork(future, months, FORK_STREAM + 2)  # streams of their own: not a truth future
    contrib = paused.contrib
    treatments = _treatments(paused, assigned)
    for action, persons in treatments:
        INTERVENTIONS[action](sim, persons, paused.t)
    if treatments:
        contrib = paused.rescore(sim)
    paused.close_month(sim, contrib)
    for t in range(paused.t + 1, paused.t + months):
        sim.step(t)
    term_m = sim.term_m[paused.idx].astype(float)
    left = (term_m > paused.t) & (term_m <= paused.t + months)  # NEVER is far below any month
    return pd.DataFrame(
        {
            "employee_id": sim.ids(paused.idx),
            "months_to_exit": np.where(left, term_m - paused.t, np.nan),
            "termination_type": np.where(left, sim.term_type[paused.idx], None),
        }
    )


def option_effects(paused: PausedMonth, assigned: dict[str, list[str]], futures: int) -> pd.DataFrame:
    """The true effect of each option on its own people's 12-month exit probability (mean over them,
    with and without the option, common random numbers): what a randomised comparison of the option
    estimates. One row per option."""
    months = max(HORIZONS)
    rows = []
    for option, persons in assigned.items():
        treatments = _treatments(paused, {option: persons})
        measured = treatments[0][1]
        base = np.stack([_future(paused, k, months, measured=measured)[:, -1] for k in range(futures)])
        arm = np.stack(
            [_future(paused, k, months, treatments, measured=measured)[:, -1] for k in range(futures)]
        )
        diff = (arm - base).mean(axis=1)  # per future: the option's mean effect over its people
        rows.append(
            {
                "option": option,
                "people": len(persons),
                "true_effect_12m": float(diff.mean()),
                "true_effect_12m_se": float(diff.std(ddof=1) / np.sqrt(futures)),
            }
        )
    return pd.DataFrame(rows)


@dataclasses.dataclass
class PausedWorld:
    """The paused months of one simulated world, kept for truth and interventions."""

    months: dict[pd.Timestamp, PausedMonth]

    def at(self, snapshot_date) -> PausedMonth:
        """The paused month of a snapshot date."""
        key = pd.Timestamp(snapshot_date)
        if key not in self.months:
            raise KeyError(f"no paused month at {key.date()}; paused: {[str(k.date()) for k in self.months]}")
        return self.months[key]


def pause_world(world, snapshot_dates: Iterable) -> PausedWorld:
    """Re-run the world (same seed, same calibration, same random streams) and keep its state at the
    given month-ends; nothing is recorded, so this costs one simulation and little memory."""
    sim = simulation_for(world, record=False)
    wanted = {sim.month_of(pd.Timestamp(d)) for d in snapshot_dates}
    paused: dict[pd.Timestamp, PausedMonth] = {}
    sim.run(pause_months=wanted, on_pause=lambda p: paused.__setitem__(p.snapshot_date, p))
    return PausedWorld(paused)
