# MLOps Launchpad — the verbs. `make lab` to learn, `make test` to check everything.
#
# Variables you can set:
#   PYTHON=python3.11   the interpreter that creates .venv (Python 3.11)
#   LAB_PORT=8888       the port JupyterLab listens on
#   LAB_IP=127.0.0.1    the address JupyterLab binds to (0.0.0.0 inside a container)
#   NO_BROWSER=1        start JupyterLab without opening a browser (e.g. over SSH)
#   LAB_ARGS=...        extra JupyterLab options, e.g. LAB_ARGS=--IdentityProvider.token=secret
#   SITE_PORT=8000      the port `make site` serves the course site on
#   PYTEST_ARGS=...     extra arguments for pytest, e.g. PYTEST_ARGS="-k model -x"
#   IMAGE=...           the image `make cloudrun-service` deploys (default sentiment-api:latest)
#   VARIANT=torch       what `make image` serves with: torch, or onnx for the slim image
#   BENCH_ARGS=...      options for bench/serving.py, e.g. BENCH_ARGS="--requests 1000"
#   MODEL=...           the model folder `make register` logs (default: the course model)
#   VERSION=...         the version `make promote` gates (default: the challenger)
#   YES=1               `make workshop-reset` without asking first
#   MLFLOW_PORT=5000    the port `make mlflow-ui` serves MLflow's UI on
#   MODULES="01 02"     the modules `make corpus` runs (default: all that have a corpus)
#   HOST=0.0.0.0        where `make classroom` listens (default 127.0.0.1: this machine only)
#   CLASSROOM_PORT=8765 the classroom's port
#   CLASSROOM_DB=...    the classroom's sqlite file (default classroom/room.sqlite)
#   ADDRESS= CODE= NAME=  what `make join` needs: the classroom's address, its code, your name

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LAB_PORT ?= 8888
LAB_IP ?= 127.0.0.1
SITE_PORT ?= 8000
NO_BROWSER ?=
LAB_ARGS ?=
PYTEST_ARGS ?=
IMAGE ?= sentiment-api:latest
VARIANT ?= torch
BENCH_ARGS ?=
MODEL ?=
VERSION ?=
YES ?=
MLFLOW_PORT ?= 5000
MODULES ?=
HOST ?= 127.0.0.1
CLASSROOM_PORT ?= 8765
CLASSROOM_DB ?= classroom/room.sqlite
STAMP := $(VENV)/.installed
# The course stays offline: MLflow (module 08) sends usage telemetry unless told not to.
export MLFLOW_DISABLE_TELEMETRY ?= true
# Nor does Evidently (module 07), which honours DO_NOT_TRACK.
export DO_NOT_TRACK ?= 1

.PHONY: help install lab test test-clock test-service model image image-context cloudrun-service exercises \
	notebooks docs site lint format clean bench registry register promote rollback mlflow-ui \
	workshop-reset corpus requirements prune lock classroom join leave

help:
	@echo "make lab        set everything up and start JupyterLab on the course"
	@echo "make test       run the whole test suite"
	@echo "make install    create .venv and install the locked packages (make lab does it first)"
	@echo "make lock       re-resolve requirements/lock.txt from pyproject.toml (UPGRADE=1: newest)"
	@echo "make model      build the course model and its ONNX export (cached); print their folders"
	@echo "make corpus     run each question's right and wrong answers as a learner would (MODULES=01)"
	@echo "make exercises  regenerate exercises/ from solutions/ (titles from course.yml first)"
	@echo "make notebooks  re-execute notebooks/ and solutions/ and store them (authors)"
	@echo "make image      build the service image sentiment-api:latest (needs Docker)"
	@echo "make image VARIANT=onnx  the slim image sentiment-api:onnx: ONNX Runtime, no PyTorch"
	@echo "make bench      serving benchmark: naive vs micro-batched PyTorch vs ONNX int8"
	@echo "make register   log the course model (or MODEL=dir) in the registry as the challenger"
	@echo "make promote    quality-gate the challenger (or VERSION=n); if it passes, it serves"
	@echo "make rollback   give the champion alias back to the previous champion"
	@echo "make registry   list the registry's versions, aliases and gate verdicts"
	@echo "make mlflow-ui  MLflow's web UI on the registry, http://127.0.0.1:$(MLFLOW_PORT)"
	@echo "make workshop-reset  restore the exercises, empty the workspace (after a backup)"
	@echo "make classroom  the live classroom: the room's progress for the instructor (HOST=0.0.0.0)"
	@echo "make join ADDRESS=... CODE=... NAME=...  send your checks' verdicts to a classroom"
	@echo "make leave      stop sending them"
	@echo "make docs       build the site into site/ (strict)"
	@echo "make site       serve the site on http://127.0.0.1:$(SITE_PORT)"
	@echo "make prune      remove the images and containers the course built, except the current tags"
	@echo "make lint       ruff, hadolint, actionlint and checkov: the lint job of CI"
	@echo "make test-service  the reference service's tests: the test job of CI"
	@echo "make image-context stage the wheels and the model the Dockerfile copies"
	@echo "make requirements  the images' requirements files, from pyproject.toml's extras"
	@echo "make cloudrun-service IMAGE=...  the Cloud Run descriptor for a release's image"

# The environment: every package at the version and hashes requirements/lock.txt records (`make
# lock` writes it from pyproject.toml), then the course itself, editable. Rebuilt when either file
# changes; otherwise a no-op. Where the lock wants PyTorch's CPU build (Linux x86_64), pip is given
# PyTorch's CPU index unless its own settings find that wheel already. UPGRADE=1 on a fresh
# install locks the newest releases first (the scheduled upgrade workflow does that).
LOCK := requirements/lock.txt
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else \
		"Python 3.11 is needed; run e.g. make lab PYTHON=python3.11 (see docs/setup.md)")'
	$(if $(UPGRADE),@$(MAKE) --no-print-directory lock)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK) \
		$$(PYTHONPATH=src $(BIN)/python -m launchpad.containers.requirements pip-args)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@$(BIN)/launchpad probe --torch
	@touch $@

install: $(STAMP)

# The lock: every package pinned with its files' hashes, for every platform at once (markers say
# where a line holds), resolved by uv from pyproject.toml's dependencies and extras; then the
# images' requirements files from it. Needs no .venv: uv is a pinned copy in build/lock-tool, and
# the course's code it runs is standard library only. UPGRADE=1 moves every package
# pyproject.toml does not pin to its newest release. TORCH_WHEELS=... is where uv finds PyTorch's
# CPU wheels (default: PyTorch's page of them; a folder of wheels works too).
UV_VERSION := 0.13.9
LOCK_PYTHON := PYTHONPATH=src build/lock-tool/bin/python
lock:
	@test -x build/lock-tool/bin/uv || { $(PYTHON) -m venv build/lock-tool && \
		build/lock-tool/bin/python -m pip install --quiet uv==$(UV_VERSION); }
	@$(LOCK_PYTHON) -m launchpad.containers.requirements lock --uv build/lock-tool/bin/uv \
		$(if $(TORCH_WHEELS),--torch-wheels $(TORCH_WHEELS)) $(if $(UPGRADE),--upgrade)
	@$(LOCK_PYTHON) -m launchpad.cli requirements

# The course model, and its ONNX int8 export that module 06 serves (both cached).
# Its standard output is the course model's folder alone, so `export MODEL_DIR="$(make -s model)"`
# works (lesson 02); the ONNX export's folder is reported on standard error.
model: $(STAMP)
	@$(BIN)/launchpad model
	@echo "ONNX int8 export: $$($(BIN)/launchpad onnx)" >&2

# JupyterLab opens at once: the course model builds in the background (module 00 does not need
# it; module 01's first cell that does waits for it, saying so).
lab: $(STAMP)
	@$(BIN)/launchpad model --background
	$(BIN)/jupyter lab --ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) \
		$(if $(NO_BROWSER),--no-browser) $(if $(filter 0,$(shell id -u)),--allow-root) \
		--ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/exercises/00-welcome.ipynb $(LAB_ARGS)

# Wheels and the course model are staged in build/ on the host; the build itself is offline.
# BASE_IMAGE=... overrides the base (default python:3.11-slim, or a local Debian image made with
# debootstrap when that cannot be pulled).
image: model
	$(BIN)/launchpad image --variant $(VARIANT)

image-context: model
	@$(BIN)/launchpad stage --variant $(VARIANT)

# The images' requirements files (deploy/docker/), generated from the service's extras in
# pyproject.toml, where its pins live; tests/test_environment_pins.py fails when they drift.
requirements: $(STAMP)
	@$(BIN)/launchpad requirements

# The Cloud Run service descriptor with a release's image filled in (deploy.yml passes IMAGE).
cloudrun-service: $(STAMP)
	@$(BIN)/launchpad cloudrun --image $(IMAGE) --out build/cloudrun-service.yaml

# The titles first (course.yml), so a renamed module reaches the solutions and then the exercises.
exercises: $(STAMP)
	@$(BIN)/launchpad course
	@$(BIN)/launchpad exercises

notebooks: model
	$(BIN)/launchpad execute notebooks/*.ipynb solutions/*.ipynb
	@$(MAKE) --no-print-directory exercises

# `make test` runs every target the workflows in .github/workflows call, so CI on GitHub runs
# nothing that this suite has not run (tests/test_workflows.py checks), then everything else.
# Every run ends by naming its 15 slowest tests: the suite must stay well under 30 minutes.
# It ends with its own wall time, from the first prerequisite to the last test.
test: test-clock lint test-service image-context cloudrun-service
	@status=0; $(BIN)/python -m pytest --ignore=tests/service --durations=15 $(PYTEST_ARGS) \
		|| status=$$?; elapsed=$$(( $$(date +%s) - $$(cat build/.test-started) )); \
	echo "make test: $$((elapsed / 60)) min $$((elapsed % 60)) s in all"; exit $$status

test-clock:
	@mkdir -p build && date +%s > build/.test-started

test-service: model
	$(BIN)/python -m pytest tests/service

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests bench
	$(BIN)/launchpad lint

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix .

# The answer corpus (tests/corpus/): every question's right and wrong answers, run in the
# exercise notebook's kernel inside a scratch clone; prints each verdict and the accuracy table.
corpus: model
	$(BIN)/python -m launchpad.authoring.corpus $(MODULES)

# A benchmark, not a test: it prints figures and ratios measured side by side in one run.
bench: model
	$(BIN)/python bench/serving.py $(BENCH_ARGS)

# The model registry (module 08): MLflow's sqlite store in workspace/mlflow/, or the one
# MLFLOW_TRACKING_URI names.
registry: $(STAMP)
	$(BIN)/launchpad registry status

register: model
	$(BIN)/launchpad registry register $(if $(MODEL),--model $(MODEL))

promote: $(STAMP)
	$(BIN)/launchpad registry promote $(if $(VERSION),--version $(VERSION))

rollback: $(STAMP)
	$(BIN)/launchpad registry rollback

mlflow-ui: $(STAMP)
	$(BIN)/mlflow ui --host 127.0.0.1 --port $(MLFLOW_PORT) --backend-store-uri \
		$(or $(MLFLOW_TRACKING_URI),sqlite:///$(or $(LAUNCHPAD_WORKSPACE),workspace)/mlflow/mlflow.db)

# A new cohort: exercises as generated, an empty workspace; the old ones go to a backup.
workshop-reset: $(STAMP)
	$(BIN)/launchpad workshop-reset $(if $(YES),--yes)

# The live classroom (docs/workshop/): the instructor starts it, learners opt in with `make join`.
classroom: $(STAMP)
	@$(BIN)/launchpad classroom --host $(HOST) --port $(CLASSROOM_PORT) --db $(CLASSROOM_DB)

# Through the environment, not the command line: a name may hold quotes.
join: $(STAMP)
	@$(BIN)/launchpad join "$$ADDRESS" "$$CODE" "$$NAME"

leave: $(STAMP)
	@$(BIN)/launchpad leave

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

site: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(SITE_PORT)

# Docker images the course built and no longer uses: old tags, untagged layers, stopped
# containers, and (on the course's own engine) the build cache. Prints what it freed.
prune: $(STAMP)
	@$(BIN)/launchpad prune

clean:
	rm -rf site build .pytest_cache
