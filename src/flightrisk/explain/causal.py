"""What pulling a lever would do: each lever's model contribution tested as a cause (double ML).

TreeSHAP says which levers the model *reads*. A lever's features can be proxies of the causes they
travel with (pay follows performance and promotion), and an exact attribution of a predictive model
credits the proxy. So every lever's contribution is put to a test:

    Y = θ · T + g(W) + ε,   T = m(W) + v

with Y the realised exit within the horizon, T the lever's contribution in probability points, and W
everything the model knows about the person except that lever's features (the other levers, context,
the month). T is exact TreeSHAP of *cross-fitted* boosters: the labelled rows are split by person into
five folds and each fold is explained by a booster trained, with the model's own settings and rounds,
on the other four, so no person's contribution comes from a fit that learned their outcome (an
in-sample contribution would partly be the person's own noise, which inflates θ). g and m are LightGBM
fits, cross-fitted by person too, and θ is the partialling-out estimate of Chernozhukov et al. (2018)
with standard errors clustered by person. θ = 1 means a point of the lever's contribution is a point of
real risk once everything else the model sees is held fixed; θ = 0 means the lever only echoes the
others. Three refutations (DoWhy's): a placebo (the treatment shuffled between people of the same
month: θ must vanish), a random common cause added to W (θ must not move) and half the people (θ must
stay inside its interval).

Three figures come out of θ:
- `weight`, θ clipped to [0, 2]: the best estimate of how much of the lever's reading is cause;
- the upper end of the interval, clipped to [0, 1] (`lever_ceilings`): the what-ifs and the plan scale
  the fall in risk a lever's actions promise down to it, so a lever the data show to do nothing
  promises nothing while a lever they cannot judge keeps the response models' estimate (a rise the
  response models read is never scaled: the ceiling bounds a promise, not a harm);
- whether the lever is *established*: the interval lies above 0 and the refutations pass, in this
  test or in the second one below. A lever that is not is "a signal the model reads, not an
  established cause" on every page.

A second test, on the months (`monthly_lever_effects`), asks the same question of the structural
model below: T is a lever's term in the monthly log-hazard (cross-fitted: each person's from the fit on
the other half of the people), Y the next month's exit divided by its mean, so θ is in the term's
units; the same double ML, intervals and refutations. The 12-month outcome blurs a state that changes
within the year, and the months tell it from its proxies: handed the simulator's own workload term,
the 12-month test finds it at z 2.7 and the months at z 4.8 on an unseen world where workload is the
second lever of six. Each test's interval above 0 is a one-sided test at 2.5 %; a lever passes where
either does, at most 5 % together. A what-if's ceiling is the lower of the two tests' upper ends
above 0 (each a fraction of its model's reading that is cause), and 0 only where both lie at or
below 0: a promise a test bounds is cut, a lever only both tests rule out promises nothing.

A catalog may split a lever into parts (`part:`; workload into attainment and load). Each part is
tested the same way with the rest of its lever among the controls, stored apart (`part_effects`), and
has its own ceiling for the actions that change it. A lever counts as established where it or a part
is, and as shown to do nothing only where it and all its parts are: attainment's effect can point the
other way (meeting the quota also makes a rep more of a top performer, whose unrecognised months weigh
more) and drag the whole lever below 0 while its load is real.

A part whose features are `within_manager` (leadership's check-ins: the 1:1 count and the months since
one) only bounds the promise of the actions that change it, and its lever's verdicts stay the lever's
own. A manager who holds regular 1:1s also keeps people in other ways, so the part's tests read the
manager as well: on four unseen worlds with a weak leadership lever and a manager effect, a 1:1 plan
was bought at 2-4 times its true effect. Its test on the months is run a second time with the
manager's habit held fixed (the manager's 12-month mean of both features over their other reports,
`manager_means`), and the part's ceiling is its lever's times the share of θ that holds within the
manager (`manager_share`, θ held read one standard error above its estimate). Read on eight kept
worlds, θ held over θ without was 0.85-0.99 where the tool read the 1:1s right (or 1.3x too large)
and 0.00-0.72 where it read them 2-4x too large. On fourteen unseen worlds the plan's mean share of
the oracle rose from 0.767 to 0.788 (1061 0.383 -> 0.639, 1042 0.492 -> 0.519, 1062 0.532 -> 0.546)
and no world's plan or what-if sign fell (docs/benchmarks.md, sessions 14 and 15).

A feature that reads another lever's cause as well (catalog `also_reads`: the manager team's past
exits judge the manager and sink the team's climate) stays in its lever's reading and size, but its
lever's test holds it fixed among the controls and tests the lever's own signals: a signal of two
causes is no evidence for either alone. Counted, it established leadership at θ 0.73 [0.12, 1.33] on
an unseen world where leadership had no effect and culture was strong; the manager's own signals give
0.51 [−0.25, 1.27] there, and 0.79 to 1.13, each established, on the seven of ten unseen worlds where
leadership is real (docs/benchmarks.md, session 9).

How large each lever is, which orders the levers (the top lever, the order advice follows, the causal
panel), comes from a structural model instead (`structural_lever_sizes`): a lever-additive, monotone
Poisson booster on person-months, each branch reading one lever's features (with the context), learns
the monthly exit hazard, so each lever's trees are that lever's term in the log-hazard. A lever's size
is the spread (SD) of its term across person-months, counting only what two fits on disjoint halves of
the people agree on (the square root of their covariance), so a term fitted to noise counts nothing.
Monthly exits matter: a 12-month outcome blurs states that change within the year (a recognition fades
in months), and even the simulator's own term functions, fitted to 12-month outcomes, rank the levers
at 0.82 in the worst of five worlds against 0.94 on the months. Established levers rank first; a lever
that is not keeps a tenth of its size (`NOT_ESTABLISHED_SHARE`), so it follows them unless ten times
their size, and a lever shown to do nothing (the interval below 0) gets none. Models stored before the
sizes rank by the cautious weight, the interval's lower end. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import dataclasses

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from flightrisk import LEVERS
from flightrisk.config import TrainSettings
from flightrisk.model.risk_model import RiskModel

FOLDS = 3  # nuisance cross-fitting
BOOSTER_FOLDS = 5  # person folds of the boosters whose contributions are tested
MAX_ROWS = 60_000  # rows the estimate reads at most (a sample of people, all their rows)
# The test on the months reads more: a month's exit carries about a twelfth of a year's, and on twenty
# kept unseen worlds a sample of 60,000 of 91,000 person-months established a switched-off lever
# (development, 0.55 [0.15, 0.96]) that all of them did not (0.25 [−0.09, 0.59]).
MONTHS_MAX_ROWS = 150_000
MAX_FIT_ROWS = 250_000  # rows each cross-fitted booster learns from at most (a sample of people)
Z = 1.96
MAX_WEIGHT = 2.0
# The structural model learns slowly (the additive response's shape) and needs more rounds on monthly
# exits than on 12-month labels: a monthly hazard's gradients are a twelfth as large.
STRUCTURAL_ROUNDS = 1000
NOT_ESTABLISHED_SHARE = 0.1  # of its size, a lever not established as a cause ranks by
MEASURED_ROWS = 20_000  # person-months whose terms' spread is read (a random sample)
# The months a manager's habit is read over (`manager_means`): a 1:1 cadence is a rate, and the
# current month's counts of five reports read it with much noise (docs/benchmarks.md, session 14).
HABIT_MONTHS = 12
# How many standard errors above its estimate a 1:1's share reads θ held within the manager
# (`LeverEffect.manager_share`). The point estimate (0) silenced real 1:1s where the held test could
# not judge them (θ 0.00 ± 0.29: a promise of zero where they truly lower risk 1.2 points, the what-if
# sign 0.95 -> 0.81) and cut a 1:1 the tool under-read; the interval's upper end (1.96) barely cut the
# over-read ones. One standard error: the plan's mean over 14 unseen worlds 0.767 -> 0.788, no world's
# plan or sign lower (docs/benchmarks.md, session 15).
MANAGER_SHARE_Z = 1.0
NUISANCE = {
    "objective": "regression",
    "learning_rate": 0.08,
    "num_leaves": 15,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.8,
    "lambda_l2": 5.0,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
NUISANCE_ROUNDS = 150


@dataclasses.dataclass(frozen=True)
class LeverEffect:
    """θ for one lever: its estimate, person-clustered interval, and the refutations."""

    lever: str
    theta: float
    se: float
    rows: int
    people: int
    placebo_theta: float
    placebo_se: float
    random_cause_theta: float
    half_people_theta: float
    # From the structural model (None in models stored before it): the SD of the lever's term in the
    # monthly log-hazard, and the SD of the risk model's margin contribution of the lever, same rows.
    size: float | None = None
    reading: float | None = None
    # The effects of the lever's parts (catalog `part`), each tested with the rest of the lever among
    # the controls; set when read back (`effects_from_metadata`), never stored with the lever.
    parts: tuple[LeverEffect, ...] = ()
    # The second test, on the months (`monthly_lever_effects`): the lever's term in the structural
    # model against the next month's exits, θ in units of that term (None in models stored before it).
    monthly: LeverEffect | None = None
    # A part whose features are `within_manager` (the check-ins) bounds its actions' promise only: its
    # tests read the manager's other qualities as well, so its lever's verdicts stay the lever's own
    # and its other parts'.
    promise_only: bool = False
    # On a within-manager part's test on the months: the same test with the manager's habit held fixed
    # (None elsewhere, and where the training extract named no managers).
    manager_held: LeverEffect | None = None

    @property
    def low(self) -> float:
        """Lower end of the 95 % person-clustered interval."""
        return self.theta - Z * self.se

    @property
    def high(self) -> float:
        """Upper end of the 95 % person-clustered interval."""
        return self.theta + Z * self.se

    @property
    def established_by_the_year(self) -> bool:
        """The 12-month test alone: its 95 % interval above 0, and its refutations pass."""
        return self.low > 0 and self.refutations_pass

    @property
    def established_by_the_months(self) -> bool:
        """The test on the months alone: its 95 % interval above 0, and its refutations pass."""
        return self.monthly is not None and self.monthly.established_by_the_year

    @property
    def established(self) -> bool:
        """Credibly different from zero and surviving the refutations in either test (each interval's
        lower end above 0 is a one-sided test at 2.5 %; either of two, at most 5 %), the lever as a
        whole or one of its parts."""
        return (
            self.established_by_the_year
            or self.established_by_the_months
            or any(part.established for part in self.parts if not part.promise_only)
        )

    @property
    def shown_to_do_nothing(self) -> bool:
        """The interval lies at or below 0 in both tests, the lever's and each of its parts'."""
        months_agree = self.monthly is None or self.monthly.high <= 0
        judged = [part for part in self.parts if not part.promise_only]
        return self.high <= 0 and months_agree and all(part.shown_to_do_nothing for part in judged)

    @property
    def ceiling(self) -> float:
        """The most of a what-if's fall in risk this effect allows, in [0, 1]: the lower of the two
        tests' upper ends that lie above 0 (the 12-month test's alone in a model stored before the
        months), and 0 only where both lie at or below 0, as a lever does nothing only where both
        tests say so. Each upper end is a one-sided 2.5 % bound, so the lower of the two is exceeded
        at most 5 % of the time, as either test establishing a lever is a 5 % test. On seventeen
        unseen worlds with every person-action pair's true effect cached, the plan's share of the
        oracle went from 0.780 to 0.790 (worst 0.355 → 0.475) and the what-if sign from 0.917 to
        0.937 (worst 0.579 → 0.847): a realistic quota that truly raised risk, where a stalled career
        weighs more for a top seller, was bought for 22 people instead of 352; the lower of the two
        with a 12-month bound below 0 counted had silenced real culture and attainment where the
        months allowed them (sign 0.579; docs/benchmarks.md, session 12)."""
        highs = [self.high] + ([self.monthly.high] if self.monthly is not None else [])
        reaching = [high for high in highs if high > 0]
        return float(np.clip(min(reaching), 0.0, 1.0)) if reaching else 0.0

    @property
    def manager_share(self) -> float:
        """The share of a within-manager part's effect on the months that holds within one manager: θ
        with the manager's habit held fixed (MANAGER_SHARE_Z standard errors above its estimate) over
        θ without, clipped to [0, 1] (1 without the held test, or where the test without reads
        nothing to scale). A manager who holds regular 1:1s also keeps people in other ways; on eight
        kept unseen worlds θ held over θ without was 0.85-0.99 where the tool read the 1:1s' effect
        right or 1.3x too large, and 0.00-0.72 where it read them 2-4x too large (docs/benchmarks.md,
        sessions 14 and 15)."""
        months = self.monthly
        if months is None or months.manager_held is None or months.theta <= 0:
            return 1.0
        held = months.manager_held
        return float(np.clip((held.theta + MANAGER_SHARE_Z * held.se) / months.theta, 0.0, 1.0))

    @property
    def refutations_pass(self) -> bool:
        """Placebo near zero, a random common cause moves nothing, half the people agree."""
        placebo_ok = abs(self.placebo_theta) <= Z * max(self.placebo_se, 1e-12) + 0.05
        stable = abs(self.random_cause_theta - self.theta) <= max(self.se, 0.02)
        subset_ok = self.low - self.se <= self.half_people_theta <= self.high + self.se
        return bool(placebo_ok and stable and subset_ok)

    @property
    def weight(self) -> float:
        """θ clipped to [0, MAX_WEIGHT]: how many points of risk one point of the lever's reading is."""
        return float(np.clip(self.theta, 0.0, MAX_WEIGHT))

    @property
    def cautious_weight(self) -> float:
        """The lower end of the 95 % interval, clipped to [0, MAX_WEIGHT]: what ranking trusts."""
        return float(np.clip(self.low, 0.0, MAX_WEIGHT))

    @property
    def share(self) -> float:
        """How much of its size a lever ranks by: all if established, none if shown to do nothing.

        A lever's parts count: where one part's effect points the other way (attainment, when meeting
        the quota also makes a rep more of an unrecognised top performer), the lever as a whole can
        look like it does nothing while its other part is real (workload's θ −1.9 [−3.3, −0.5] on an
        unseen world where workload is the fourth of six levers; its load part −1.8 [−3.8, 0.3])."""
        if self.established:
            return 1.0
        return 0.0 if self.shown_to_do_nothing else NOT_ESTABLISHED_SHARE

    @property
    def ranked_size(self) -> float | None:
        """The lever's size as ranking uses it (None without a structural size)."""
        return None if self.size is None else self.share * self.size

    @property
    def ranking_weight(self) -> float:
        """What a person's model points of the lever are multiplied by in the causal panel: the
        structural size over the model's reading (the same units), times the share; without a
        structural size, the cautious weight."""
        if self.size is None or self.reading is None:
            return self.cautious_weight
        if self.reading <= 0:
            return 0.0
        return float(self.share * np.clip(self.size / self.reading, 0.0, MAX_WEIGHT))

    def to_dict(self) -> dict:
        """JSON-ready form, with the derived interval, weight and verdict spelled out (the parts are
        stored apart, `part_effects`)."""
        if self.parts:  # the stored verdicts are the lever's own; its parts join when read back
            return dataclasses.replace(self, parts=()).to_dict()
        nested = ("monthly", "manager_held")
        out = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("parts", *nested)
        }
        out |= {name: getattr(self, name).to_dict() for name in nested if getattr(self, name) is not None}
        if self.promise_only:
            out["manager_share"] = self.manager_share
        out |= {
            "ci_low": self.low,
            "ci_high": self.high,
            "weight": self.weight,
            "cautious_weight": self.cautious_weight,
            "ranking_weight": self.ranking_weight,
            "ranked_size": self.ranked_size,
            "established": self.established,
            "refutations_pass": self.refutations_pass,
        }
        return out

    @classmethod
    def from_dict(cls, data: dict) -> LeverEffect:
        """Read back what to_dict wrote (derived keys are ignored)."""
        nested = ("monthly", "manager_held")
        fields = {f.name for f in dataclasses.fields(cls)} - {"parts", *nested}
        read = {name: cls.from_dict(data[name]) for name in nested if data.get(name)}
        return cls(**{k: v for k, v in data.items() if k in fields}, **read)


def _residuals(w: np.ndarray, targets: list[np.ndarray], folds, seed: int, threads: int) -> list[np.ndarray]:
    """Per target, target − E[target | W], each row predicted by a fit on the other people. Each
    fold's controls are binned once and relabelled for each target (the same fits as one by one;
    binning was a third of each fit's time)."""
    params = NUISANCE | {"seed": seed, "num_threads": threads}
    out = [np.empty(len(target)) for target in targets]
    for fit, scored in folds:
        data = lgb.Dataset(w[fit], label=targets[0][fit], params=params, free_raw_data=False).construct()
        for target, residual in zip(targets, out, strict=True):
            data.set_label(target[fit])
            booster = lgb.train(params, data, num_boost_round=NUISANCE_ROUNDS)
            residual[scored] = target[scored] - booster.predict(w[scored])
    return out


def _theta(t_res: np.ndarray, y_res: np.ndarray, people: np.ndarray) -> tuple[float, float]:
    """Partialling-out θ and its standard error clustered by person."""
    denominator = float(np.dot(t_res, t_res))
    if denominator <= 0:
        return 0.0, float("inf")
    theta = float(np.dot(t_res, y_res) / denominator)
    score = t_res * (y_res - theta * t_res)
    by_person = pd.Series(score).groupby(people).sum().to_numpy()
    return theta, float(np.sqrt(np.sum(by_person**2)) / denominator)


def partialling_out(
    w: np.ndarray, t: np.ndarray, y: np.ndarray, people: np.ndarray, seed: int = 0, threads: int = 2
) -> tuple[float, float]:
    """θ of `t` on `y` given controls `w` (cross-fitted by person) and its person-clustered standard error."""
    folds = list(GroupKFold(n_splits=FOLDS).split(w, y, groups=people))
    return _theta(*_residuals(w, [t, y], folds, seed, threads), people)


def _with_booster(model: RiskModel, booster: lgb.Booster, calibration=None) -> RiskModel:
    """The model explaining with another booster (and calibration); its TreeSHAP cache starts empty.

    A hazard model's cross-fitted boosters are 12-month classifiers of the same shape (the test is
    of a lever's reading against the 12-month outcome): they explain as a classifier, on their own
    log-odds (a booster's log-odds are near calibrated on the rows it learned)."""
    if model.kind == "hazard" and calibration is None:
        from flightrisk.model.calibration import PlattCalibration
        from flightrisk.model.risk_model import SnapshotModel

        view = SnapshotModel(
            booster=booster,
            calibration=PlattCalibration(1.0, 0.0),
            catalog=model.catalog,
            profile=model.profile,
            metadata=model.metadata,
        )
    else:
        view = dataclasses.replace(model, booster=booster, calibration=calibration or model.calibration)
    view._shap = None
    return view


def holdout_view(model: RiskModel) -> RiskModel:
    """The model as its holdout booster: explains rows it never learned from."""
    return _with_booster(model, model.holdout_booster, model.holdout_calibration)


def sample_people(people: np.ndarray, max_rows: int, rng: np.random.Generator) -> np.ndarray:
    """A mask of whole people with about `max_rows` rows (every row when there are no more than that):
    a person's rows stay together, so each person stays one cluster."""
    if len(people) <= max_rows:
        return np.ones(len(people), dtype=bool)
    unique = np.unique(people)
    keep = rng.permutation(unique)[: max(int(len(unique) * max_rows / len(people)), 50)]
    return np.isin(people, keep)


def person_folds(people: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Each row's fold, the same for all of a person's rows, people dealt out at random (seeded)."""
    unique = np.unique(people)
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of = pd.Series(np.arange(len(unique)) % folds, index=unique[order])
    return fold_of.loc[people].to_numpy()


def group_points(model: RiskModel, explanation) -> pd.DataFrame:
    """Probability points per lever (`lever_` columns), per lever part (`part_` columns) and, for a
    lever with a feature that reads another lever too, of its own signals (`own_` columns): what each
    group of features adds to the risk."""
    points = explanation.lever_points()
    position = {name: i for i, name in enumerate(model.feature_names)}
    for _, column, tested in _groups(model):
        if column not in points:
            columns = [
                position[f.name] for f, chosen in zip(model.catalog.features, tested, strict=True) if chosen
            ]
            points[column] = explanation.feature_points[:, columns].sum(axis=1)
    return points


def cross_fitted_lever_points(
    model: RiskModel,
    rows: pd.DataFrame,
    labels: np.ndarray,
    fit: np.ndarray,
    explained: np.ndarray,
    settings: TrainSettings,
    rounds: int,
    seed: int = 0,
) -> pd.DataFrame:
    """Lever points (probability points; with each lever part's, `group_points`) of the rows in
    `explained`, each row's from a booster that learned from the `fit` rows of the other people only
    (BOOSTER_FOLDS person folds, the model's own settings and rounds, its calibration). Rows come back
    in the order of rows[explained]."""
    from flightrisk.explain.contributions import explain_rows
    from flightrisk.model.train import fit_booster

    x = model.encode(rows)
    fold = person_folds(rows["employee_id"].astype(str).to_numpy(), BOOSTER_FOLDS, seed)
    columns = [f"lever_{lever}" for lever in LEVERS]
    columns += [column for _, column, _ in _groups(model) if column not in columns]
    points = pd.DataFrame(np.nan, index=rows.index, columns=columns)
    for k in range(BOOSTER_FOLDS):
        scored = explained & (fold == k)
        if not scored.any():
            continue
        learn = fit & (fold != k)
        booster = fit_booster(x[learn], labels[learn], model.catalog, settings, rounds)
        found = group_points(model, explain_rows(_with_booster(model, booster), rows[scored]))
        present = [c for c in columns if c in found]
        points.loc[rows.index[scored], present] = found[present].to_numpy()
    return points.loc[rows.index[explained]].reset_index(drop=True)


def _groups(model: RiskModel) -> list[tuple[str, str, np.ndarray]]:
    """What is tested, as (name, points column, which model features are the tested signals): each
    lever, then each part of a lever the catalog splits (a part is tested with the rest of its lever
    among the controls). A feature that reads another lever's cause as well (`also_reads`) is held
    fixed in its lever's test: the lever is tested on its own signals (`own_` column), for a signal of
    two causes is no evidence for either alone."""
    levers = np.array([spec.lever for spec in model.catalog.features])
    parts = np.array([spec.part or "" for spec in model.catalog.features])
    shared = np.array([spec.also_reads is not None for spec in model.catalog.features])
    out = []
    for lever in LEVERS:
        members = levers == lever
        if not members.any():
            continue
        own = members & ~shared
        if own.any() and not own[members].all():
            out.append((lever, f"own_{lever}", own))
        else:  # nothing shared, or nothing but shared signals: the lever as a whole
            out.append((lever, f"lever_{lever}", members))
    # A part never holds a shared feature (the catalog refuses one). The within-manager parts come
    # last, so the other tests' random draws (placebos, random causes) are those of a catalog without.
    held = within_manager_parts(model)
    ordered = sorted(model.catalog.parts(), key=lambda part: part in held)
    return out + [(part, f"part_{part}", parts == part) for part in ordered]


def estimate_lever_effects(
    model: RiskModel,
    rows: pd.DataFrame,
    labels: np.ndarray,
    points: pd.DataFrame | None = None,
    seed: int = 0,
    threads: int = 2,
    max_rows: int = MAX_ROWS,
    controls: dict[str, np.ndarray] | None = None,
) -> dict[str, LeverEffect]:
    """θ per lever, and per lever part the catalog names, on `rows` and their realised `labels`.
    `points` are the contributions to test, one row per row of `rows` (`group_points`' columns;
    default: `model`'s own, which must never have learned from `rows`). `controls`: per lever or
    part, more columns its test holds fixed, one row per row of `rows` (`within_manager_controls`);
    with them, only the levers and parts they name are tested."""
    from flightrisk.explain.contributions import explain_rows

    rows = rows.reset_index(drop=True)
    labels = np.asarray(labels, dtype=float)
    people = rows["employee_id"].astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    chosen = sample_people(people, max_rows, rng)
    if points is None:
        points = group_points(model, explain_rows(model, rows[chosen]))
    else:
        points = points.reset_index(drop=True)[chosen].reset_index(drop=True)
    rows, labels, people = rows[chosen].reset_index(drop=True), labels[chosen], people[chosen]
    controls = {name: np.asarray(extra, dtype=float)[chosen] for name, extra in (controls or {}).items()}
    x = model.encode(rows)
    month_code = None
    if "snapshot_date" in rows:
        month = pd.to_datetime(rows["snapshot_date"])
        month_code = (month.dt.year * 12 + month.dt.month).to_numpy(dtype=float)
    folds = list(GroupKFold(n_splits=FOLDS).split(x, labels, groups=people))
    half = np.isin(people, rng.permutation(np.unique(people))[: len(np.unique(people)) // 2])
    effects = {}
    for name, column, tested in _groups(model):
        if controls and name not in controls:
            continue
        w = x[:, ~tested]
        if month_code is not None:
            w = np.column_stack([w, month_code])
        if name in controls:
            w = np.column_stack([w, controls[name]])
        t = points[column].to_numpy()
        # Placebo: the lever's values shuffled among people of the same month.
        shuffled = t.copy()
        groups = month_code if month_code is not None else np.zeros(len(t))
        for value in np.unique(groups):
            where = np.flatnonzero(groups == value)
            shuffled[where] = t[rng.permutation(where)]
        y_res, t_res, placebo_res = _residuals(w, [labels, t, shuffled], folds, seed, threads)
        theta, se = _theta(t_res, y_res, people)
        placebo, placebo_se = _theta(placebo_res, y_res, people)
        # A random common cause: one more control that is noise.
        noisy = np.column_stack([w, rng.standard_normal(len(t))])
        random_cause, _ = _theta(*_residuals(noisy, [t, labels], folds, seed, threads), people)
        half_theta, _ = _theta(t_res[half], y_res[half], people[half])
        effects[name] = LeverEffect(
            lever=name,
            theta=theta,
            se=se,
            rows=int(len(t)),
            people=int(len(np.unique(people))),
            placebo_theta=placebo,
            placebo_se=placebo_se,
            random_cause_theta=random_cause,
            half_people_theta=half_theta,
        )
    return effects


def causal_effects_for(
    model: RiskModel,
    features: pd.DataFrame,
    seed: int = 0,
    threads: int = 2,
    managers: pd.Series | None = None,
) -> dict:
    """θ per lever and per lever part for a trained snapshot model, as stored in its metadata
    (`lever_effects` with each lever's structural size, `part_effects`): the contributions of
    person-cross-fitted boosters (the model's settings and rounds) tested on every labelled row (a
    sample of people on a large table). Empty where there is too little to test. `managers`: each
    row's manager (`features.directory.managers_of_rows`), where the extract is at hand: a part's
    test on the months then holds its manager's habit fixed (catalog `within_manager`)."""
    from flightrisk.model.train import settings_of

    if "best_rounds" not in model.metadata:
        return {}
    labelled = features[features["label"].notna()].reset_index(drop=True)
    people = labelled["employee_id"].astype(str).to_numpy()
    if len(np.unique(people)) < 50:
        return {}
    labels = labelled["label"].astype(int).to_numpy()
    rng = np.random.default_rng(seed)
    fit = sample_people(people, MAX_FIT_ROWS, rng)
    explained = fit.copy()
    explained[fit] = sample_people(people[fit], MAX_ROWS, rng)
    settings = dataclasses.replace(settings_of(model.metadata), num_threads=threads)
    points = cross_fitted_lever_points(
        model,
        labelled,
        labels,
        fit,
        explained,
        settings,
        int(model.metadata.get("classifier_rounds", model.metadata["best_rounds"])),
        seed,
    )
    effects = estimate_lever_effects(
        model,
        labelled[explained],
        labels[explained],
        points=points,
        seed=seed,
        threads=threads,
        max_rows=int(explained.sum()),
    )
    structural = fit_structural(model, features, seed, threads)
    if structural is not None:
        sizes = structural_lever_sizes(model, structural, threads)
        within = None if managers is None else within_manager_controls(model, features, managers)
        monthly = monthly_lever_effects(model, structural, seed, threads, within)
        effects = {
            name: dataclasses.replace(
                e,
                monthly=monthly.get(name),
                **({"size": sizes[name][0], "reading": sizes[name][1]} if name in sizes else {}),
            )
            for name, e in effects.items()
        }
    held = within_manager_parts(model)
    effects = {name: dataclasses.replace(e, promise_only=name in held) for name, e in effects.items()}
    return {
        "lever_effects": {name: e.to_dict() for name, e in effects.items() if name in LEVERS},
        "part_effects": {
            name: e.to_dict() | {"part_of": model.catalog.parts()[name]}
            for name, e in effects.items()
            if name not in LEVERS
        },
    }


@dataclasses.dataclass(frozen=True)
class StructuralFit:
    """The structural model fitted twice, on two disjoint halves of the people, and the person-months
    it was read on."""

    rows: pd.DataFrame  # person-months whose next month is known
    exits: np.ndarray  # 1 where the person left (voluntarily) in the next month
    x: np.ndarray  # the rows encoded
    first_half: np.ndarray  # the rows of the first half's people
    measured: np.ndarray  # the rows whose terms' spread is read (a random sample)
    boosters: tuple[lgb.Booster, lgb.Booster]  # learned from the first half's people, the second's
    positions: np.ndarray | None = None  # each row's position in the feature table it came from


def fit_structural(
    model: RiskModel, features: pd.DataFrame, seed: int = 0, threads: int = 2
) -> StructuralFit | None:
    """The lever-additive, monotone Poisson booster on next-month exits, fitted on each half of the
    people (a sample of them on a large table). None for a table without monthly exits or with too few."""
    from flightrisk.model.hazard_train import POISSON
    from flightrisk.model.response import ADDITIVE_SHAPE, event_rows
    from flightrisk.model.train import fit_booster, settings_of

    events = event_rows(features)
    if events is None:
        return None
    known, y = events
    rows = features.iloc[known].reset_index(drop=True)
    people = rows["employee_id"].astype(str).to_numpy()
    ids = np.unique(people)
    if len(ids) < 50 or y.sum() < 20:
        return None
    rng = np.random.default_rng([seed, 17])
    fit = sample_people(people, MAX_FIT_ROWS, rng)
    first_half = np.isin(people, rng.permutation(ids)[: len(ids) // 2])
    measured = np.zeros(len(rows), dtype=bool)
    measured[rng.choice(len(rows), min(len(rows), MEASURED_ROWS), replace=False)] = True
    x = model.encode(rows)
    settings = dataclasses.replace(
        settings_of(model.metadata), num_threads=threads, lever_additive=True, **ADDITIVE_SHAPE
    )
    boosters = tuple(
        fit_booster(
            x[fit & half], y[fit & half], model.catalog, settings, STRUCTURAL_ROUNDS, objective=POISSON
        )
        for half in (first_half, ~first_half)
    )
    return StructuralFit(rows, y, x, first_half, measured, boosters, known)


def structural_lever_sizes(
    model: RiskModel, structural: StructuralFit, threads: int = 2
) -> dict[str, tuple[float, float]]:
    """Per lever, (size, reading): the SD of the lever's term in the monthly log-hazard that the two
    structural fits agree on, and the SD of the risk model's margin contribution of the lever, both
    over the same person-months (the measured sample)."""
    from flightrisk.model.treeshap import ShapEngine

    measured = structural.measured
    levers = np.array([spec.lever for spec in model.catalog.features])
    terms = []
    for booster in structural.boosters:
        contributions = ShapEngine(booster, threads).contributions(structural.x[measured])[:, :-1]
        terms.append({lever: contributions[:, levers == lever].sum(axis=1) for lever in LEVERS})
    margin = model.margin_contributions(structural.rows[measured])[:, :-1]
    out = {}
    for lever in LEVERS:
        if not (levers == lever).any():
            out[lever] = (0.0, 0.0)
            continue
        agreed = float(np.cov(terms[0][lever], terms[1][lever])[0, 1])
        out[lever] = (float(np.sqrt(max(agreed, 0.0))), float(margin[:, levers == lever].sum(axis=1).std()))
    return out


def cross_fitted_terms(structural: StructuralFit, rows: np.ndarray, threads: int = 2) -> np.ndarray:
    """Per row of the mask `rows` and feature, its contribution to the monthly log-hazard from the
    structural fit on the other half of the people: no row's term comes from a fit on its own exits."""
    from flightrisk.model.treeshap import ShapEngine

    out = np.zeros((int(rows.sum()), structural.x.shape[1]))
    chosen_first = structural.first_half[rows]
    for learned_first, booster in zip((True, False), structural.boosters, strict=True):
        explained = chosen_first != learned_first
        if explained.any():
            where = np.flatnonzero(rows)[explained]
            out[explained] = ShapEngine(booster, threads).contributions(structural.x[where])[:, :-1]
    return out


def monthly_lever_effects(
    model: RiskModel,
    structural: StructuralFit,
    seed: int = 0,
    threads: int = 2,
    within: dict[str, np.ndarray] | None = None,
) -> dict[str, LeverEffect]:
    """The test on the months, per lever and lever part: each one's term in the structural model
    (cross-fitted by halves of the people) against the next month's exits, by the same double ML and
    refutations as the 12-month test. The exits are divided by their mean, so θ is in units of the
    term (log-hazard): 1 where a unit of the term is a unit of the hazard's log once everything else
    the model sees is held fixed, 0 where the term only echoes the rest.

    A lever whose state changes within the year (workload, recognition, a manager's 1:1s) is told from
    its proxies by the months; the 12-month outcome blurs it. With it, 63 of the 88 real levers of
    twenty kept unseen worlds are established against 44 by the 12-month test alone, and 14 of 21 on
    five fresh ones; no switched-off lever is in either (docs/benchmarks.md, session 11).

    With `within` (`within_manager_controls`, one row per row of the feature table the structural
    model was fitted on), a part whose features are `within_manager` (the check-ins: the 1:1 count and
    the months since one) is tested a second time with the manager's habit in them among the controls
    (its effect's `manager_held`): within one manager, a person's months without a 1:1 vary by the
    month's chance. This holds on the months and not on the year: the hazard of a month reads that
    month's state, so holding the manager's cadence fixed holds no part of it, where a 12-month outcome
    also reads the 1:1s ahead, which the cadence forecasts and a 1:1 plan changes (session 10 cut real
    1:1s to a third that way)."""
    people = structural.rows["employee_id"].astype(str).to_numpy()
    chosen = sample_people(people, MONTHS_MAX_ROWS, np.random.default_rng([seed, 29]))
    terms = cross_fitted_terms(structural, chosen, threads)
    points = pd.DataFrame({column: terms[:, tested].sum(axis=1) for _, column, tested in _groups(model)})
    exits = structural.exits[chosen]

    def tested(controls=None) -> dict[str, LeverEffect]:
        return estimate_lever_effects(
            model,
            structural.rows[chosen],
            exits / exits.mean(),
            points=points,
            seed=seed,
            threads=threads,
            max_rows=int(chosen.sum()),
            controls=controls,
        )

    effects = tested()
    if within and structural.positions is not None:
        held = tested({part: extra[structural.positions][chosen] for part, extra in within.items()})
        effects |= {name: dataclasses.replace(effects[name], manager_held=e) for name, e in held.items()}
    return effects


def within_manager_parts(model: RiskModel) -> set[str]:
    """The lever parts whose features the catalog marks `within_manager` (the check-ins)."""
    return {spec.part for spec in model.catalog.features if spec.within_manager and spec.part}


def within_manager_controls(
    model: RiskModel, features: pd.DataFrame, managers: pd.Series
) -> dict[str, np.ndarray]:
    """Per part with `within_manager` features, the manager's habit in each of them (`manager_means`
    over HABIT_MONTHS), one column per feature and one row per row of `features`."""
    return {
        part: manager_means(
            features,
            managers,
            [s.name for s in model.catalog.features if s.part == part and s.within_manager],
        )
        for part in within_manager_parts(model)
    }


def manager_means(
    rows: pd.DataFrame, managers: pd.Series | np.ndarray, columns: list[str], months: int = HABIT_MONTHS
) -> np.ndarray:
    """Per row and column, the column's mean over the rows of the other people who reported to the
    same manager in the last `months` snapshots up to the row's (the manager's habit: a 1:1 cadence is
    a rate, and one month's counts of five people read it with much noise). The person's own months
    with that manager are left out. Missing where fewer than MIN_PEERS others report to the manager
    at the snapshot, or the row has no manager or no value: no mean rests on fewer than five people."""
    from flightrisk.features.snapshots import MIN_PEERS, rolling_sum

    dates = pd.to_datetime(rows["snapshot_date"])
    month = (dates.dt.year * 12 + dates.dt.month).to_numpy(dtype=np.int64)
    manager = pd.Series(np.asarray(managers, dtype=object))
    person = rows["employee_id"].astype(str).to_numpy()
    out = np.full((len(rows), len(columns)), np.nan)
    has = manager.notna().to_numpy()
    if not has.any():
        return out
    codes = pd.Index(manager[has].unique())
    code = np.full(len(rows), -1)
    code[has] = codes.get_indexer(manager[has])
    first = int(month.min())
    at = (code[has], month[has] - first + 1)
    width = int(month.max()) - first + 2
    # A spell: one person's consecutive snapshots under one manager, whose rows are their own share.
    order = np.lexsort((month, person))
    new_spell = np.r_[True, (person[order][1:] != person[order][:-1]) | (code[order][1:] != code[order][:-1])]
    spell = np.empty(len(rows), dtype=np.int64)
    spell[order] = np.cumsum(new_spell)
    for j, column in enumerate(columns):
        value = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float)
        known = has & ~np.isnan(value)
        sums = []
        for weights in (np.where(known, value, 0.0), known.astype(float)):
            grid = np.zeros((len(codes), width))
            np.add.at(grid, at, weights[has])
            cumulative = grid.cumsum(axis=1)
            window = cumulative[at] - cumulative[at[0], np.maximum(at[1] - months, 0)]
            # Rows of a spell are consecutive months: the last `months` of them are the window's.
            mine = rolling_sum(pd.DataFrame({"employee_id": spell[order]}), pd.Series(weights[order]), months)
            own = np.empty(len(rows))
            own[order] = mine.to_numpy()
            sums.append((window - own[has], grid[at]))
        (total, _), (count, now) = sums
        mean = np.full(int(has.sum()), np.nan)
        enough = known[has] & (now - 1 >= MIN_PEERS) & (count > 0)
        mean[enough] = total[enough] / count[enough]
        out[has, j] = mean
    return out


def effects_summary(effects: dict, parts: dict | None = None) -> str:
    """One line for the console: θ and its interval per lever (and lever part) in the 12-month test and
    on the months, and which levers are not established."""

    def interval(e: dict) -> str:
        return f"{e['theta']:.2f} [{e['ci_low']:.2f}, {e['ci_high']:.2f}]"

    def said(name: str, e: dict) -> str:
        size = "" if e.get("size") is None else f" size {e['size']:.2f}"
        months = "" if not e.get("monthly") else f", months {interval(e['monthly'])}"
        if (e.get("monthly") or {}).get("manager_held"):
            months += f", within the manager {interval(e['monthly']['manager_held'])}"
        return f"{name} {interval(e)}{months}{size}"

    parts_said = [
        said(f"{name} ({'bounds a promise' if e.get('promise_only') else 'a part'})", e)
        for name, e in (parts or {}).items()
    ]
    weak = [lever for lever, e in effects_from_dicts(effects, parts).items() if not e.established]
    tail = f"; not established as causes: {', '.join(weak)}" if weak else "; every lever established"
    return (
        "Lever effects θ (95 % interval, the 12-month test and on the months) and structural size: "
        + ", ".join([said(lever, e) for lever, e in effects.items()] + parts_said)
        + tail
    )


def effects_from_dicts(levers: dict, parts: dict | None = None) -> dict[str, LeverEffect]:
    """Lever effects as stored (`to_dict`), each with the effects of its parts (`part_of`) attached."""
    effects = {}
    for lever, data in levers.items():
        attached = tuple(
            LeverEffect.from_dict(part) for part in (parts or {}).values() if part.get("part_of") == lever
        )
        effects[lever] = dataclasses.replace(LeverEffect.from_dict(data), parts=attached)
    return effects


def effects_from_metadata(metadata: dict) -> dict[str, LeverEffect] | None:
    """The lever effects stored in a model's metadata, with their parts (None without effects)."""
    stored = metadata.get("lever_effects")
    if not stored:
        return None
    return effects_from_dicts(stored, metadata.get("part_effects"))


def effects_of(model: RiskModel) -> dict[str, LeverEffect] | None:
    """The lever effects stored with a model, with their parts (None for a model trained without)."""
    return effects_from_metadata(model.metadata)


def ranking_weights(model: RiskModel) -> dict[str, float]:
    """Per lever, what a person's model points of it are multiplied by in the causal panel
    (`LeverEffect.ranking_weight`; 1 for every lever of a model without effects: its reading stands)."""
    effects = effects_of(model)
    if not effects:
        return dict.fromkeys(LEVERS, 1.0)
    return {lever: effects[lever].ranking_weight if lever in effects else 1.0 for lever in LEVERS}


def ranked_lever_sizes(model: RiskModel, model_reading: dict[str, float]) -> dict[str, float]:
    """Per lever, how large the causal layer holds it for the whole organisation, as the lever chart
    and the truth's ranking read it: the structural size times its share; for a model stored without
    sizes, `model_reading` (the model's mean contribution per lever) times the ranking weight."""
    effects = effects_of(model) or {}
    weights = ranking_weights(model)
    out = {}
    for lever in LEVERS:
        size = effects[lever].ranked_size if lever in effects else None
        out[lever] = size if size is not None else model_reading[lever] * weights[lever]
    return out


def lever_ceilings(model: RiskModel) -> dict[str, float]:
    """Per lever, and per lever part with a measured effect, the lower of the two tests' upper ends
    above 0 (`LeverEffect.ceiling`; 0 where both lie at or below 0) clipped to [0, 1]: the most of a
    what-if's fall in risk the measured effect allows (1 for every lever of a model without effects).
    An action's change is scaled by the part it changes where the part was measured
    (`FeatureSpec.group`), else by its lever's; a rise is not scaled.

    A what-if re-scores the response models, which can read a proxy as a cause as the risk model can.
    Where the data rule out that the lever's reading is all cause (the interval lies below 1), its
    actions are scaled down to the largest effect the data allow; a lever shown to do nothing moves
    nothing. Where they cannot tell (a wide interval), the response's change stands: θ's point
    estimate of a lever the model barely reads is noise, and clipping it to zero silenced real
    levers (sign agreement 0.62 on five unseen worlds, docs/benchmarks.md). A part has its own: where
    attainment's effect points the other way, workload's as a whole can lie below 0 and silenced
    protecting time off, which truly lowers risk (docs/benchmarks.md). A within-manager part (the
    check-ins) has its lever's ceiling times the share of its effect that holds within one manager
    (`LeverEffect.manager_share`): its own intervals read the manager's other qualities too."""
    effects = effects_of(model)
    if not effects:
        return dict.fromkeys(LEVERS, 1.0)
    out = {lever: effects[lever].ceiling if lever in effects else 1.0 for lever in LEVERS}
    for effect in effects.values():
        out |= {
            part.lever: effect.ceiling * part.manager_share if part.promise_only else part.ceiling
            for part in effect.parts
        }
    return out


def causal_points(model: RiskModel, lever_points: pd.DataFrame) -> pd.DataFrame:
    """Per row and lever, the points of what pulling the lever would do: the model's points × the
    lever's ranking weight (its structural size over the model's reading, times its share). Pages
    rank and name levers by these."""
    weights = ranking_weights(model)
    out = pd.DataFrame(index=lever_points.index)
    for lever in LEVERS:
        column = f"lever_{lever}"
        if column in lever_points:
            out[f"effect_{lever}"] = lever_points[column].to_numpy() * weights[lever]
    return out
