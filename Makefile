# flightrisk — every stage is one call of the `flightrisk` CLI; `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
UV_VERSION := 0.13.8
UV_DIR := .venv-uv
UV := $(UV_DIR)/bin/uv
VENV := .venv
FR := $(VENV)/bin/flightrisk
PY := $(VENV)/bin/python

RAW := data/raw
FEATURES := data/processed/features.parquet
MODEL := models/flightrisk
METRICS := reports/metrics.json
SCORES := data/scores/scores.parquet
PLAN := data/scores/plan.parquet
BUDGET ?= 2000000
SITE := reports/site
WORLD ?=
IBM_TABLE ?= ../shared/data/ibm_hr_attrition.csv

export MLFLOW_TRACKING_URI ?= sqlite:///mlflow.db
export UV_PYTHON_DOWNLOADS := never
export PYTHONHASHSEED := 0

#################################################################################
# ENVIRONMENT                                                                   #
#################################################################################

$(UV):
	$(PYTHON) -m venv $(UV_DIR)
	$(UV_DIR)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

## Create .venv from the lock file (uv, bootstrapped with pip)
.PHONY: setup
setup: $(VENV)/.synced

#################################################################################
# PIPELINE                                                                      #
#################################################################################

## The whole job on the synthetic default: data, features, model, scores, report
.PHONY: run
run: setup data validate features train evaluate score plan report

## Simulate the default sales organisation into data/raw (WORLD=path.yaml for another)
.PHONY: data
data: setup
	$(FR) synth --out $(RAW) $(if $(WORLD),--world $(WORLD),)

## Check every raw table against its schema
.PHONY: validate
validate: setup
	$(FR) validate --raw $(RAW)

## Build the point-in-time feature table
.PHONY: features
features: setup
	$(FR) features --raw $(RAW) --out $(FEATURES)

## Train, validate out of time, calibrate, log to MLflow and register
.PHONY: train
train: setup
	$(FR) train --features $(FEATURES) --out $(MODEL) --raw $(RAW)

## Evaluate the model on the out-of-time holdout (with the oracle from truth/)
.PHONY: evaluate
evaluate: setup
	$(FR) evaluate --model $(MODEL) --features $(FEATURES) --raw $(RAW) --out $(METRICS)

## Score the latest month with explanations
.PHONY: score
score: setup
	$(FR) score --model $(MODEL) --input $(FEATURES) --latest --out $(SCORES) --explain

## Choose the retention actions that fit the budget (BUDGET=SEK a year, default 2,000,000)
.PHONY: plan
plan: setup
	$(FR) plan --model $(MODEL) --scores $(SCORES) --raw $(RAW) --budget $(BUDGET) --out $(PLAN)

## Write the HTML report (reports/site), with the plan page when a plan exists
.PHONY: report
report: setup
	$(FR) report --model $(MODEL) --scores $(SCORES) --raw $(RAW) --out $(SITE) $(if $(wildcard $(PLAN)),--plan $(PLAN),)

## Open the MLflow UI on the local tracking database
.PHONY: mlflow-ui
mlflow-ui: setup
	$(VENV)/bin/mlflow ui --backend-store-uri $(MLFLOW_TRACKING_URI)

#################################################################################
# QUALITY                                                                       #
#################################################################################

# The report's browser tests use Debian's Chromium; install it when we can (root), else they skip.
.PHONY: browser
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium is not installed: the browser tests will be skipped"; }

## Run the whole test suite (builds the environment first)
# Bytecode is written even where the shell says not to (PYTHONDONTWRITEBYTECODE): the first process to
# import pandas, scikit-learn or MLflow compiles them, and every later one (a worker, a subprocess, a
# notebook's kernel) reads them in ~3 s instead of ~6 s. __pycache__ is ignored by git.
.PHONY: test
test: setup browser
	PYTHONDONTWRITEBYTECODE= OMP_NUM_THREADS=1 FLIGHTRISK_THREADS=1 $(VENV)/bin/pytest -q -n 2 --dist loadfile --durations=10

## The fast subset (no trained world, no browser): under a minute, for the edit-test loop
.PHONY: test-fast
test-fast: setup
	OMP_NUM_THREADS=1 FLIGHTRISK_THREADS=1 $(VENV)/bin/pytest -q -n 2 --dist loadfile -m "not slow and not browser" --durations=5

## Run the Spark test (installs pyspark into .venv and Java 17 when missing)
.PHONY: test-spark
test-spark: setup
	@command -v java >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless)
	$(UV) pip install --python $(PY) pyspark
	$(VENV)/bin/pytest -q tests/test_score.py -k spark_udf -rs

## Lint with ruff
.PHONY: lint
lint: setup
	$(VENV)/bin/ruff check src tests benchmarks && $(VENV)/bin/ruff format --check src tests benchmarks

## Lint and test
.PHONY: check
check: lint test

## Print time and memory figures (simulation, features, scoring, IBM benchmark)
.PHONY: benchmark
benchmark: setup
	$(PY) benchmarks/run_all.py --ibm-table $(IBM_TABLE)
	$(PY) benchmarks/score_large.py --rows 100000 1000000

## Remove generated data, models, reports and MLflow state
.PHONY: clean
clean:
	rm -rf data/raw/* data/interim/* data/processed/* data/scores/* models/* reports/* mlruns mlflow.db
	@touch data/raw/.gitkeep data/interim/.gitkeep data/processed/.gitkeep data/scores/.gitkeep models/.gitkeep reports/.gitkeep

## Show this help
.PHONY: help
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-zA-Z_-]+:/{if(doc){split($$1,t,":"); printf "  %-12s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)
