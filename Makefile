# Two commands for a fresh machine: `make demo` (main job on the synthetic default) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DVC_NO_ANALYTICS := 1
export MPLBACKEND := Agg

.PHONY: demo test unit lint venv clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

demo: venv
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dvc repro
	@echo "--- example: one synthetic letter explained by the trained model ---"
	$(BIN)/imr explain "$$(ls data/synthetic/letters/*.synthetic.txt | head -n 1)" --model models/model
	@echo "--- evaluation: reports/evaluation.md; MLflow: $(BIN)/mlflow ui --backend-store-uri sqlite:///mlflow.db"
	@echo "--- serve it: $(BIN)/imr serve --model-path models/model  (docs at /docs, dashboard at /dashboard)"

test: venv
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q --durations=25

unit: venv  # the fast tests alone (no servers, clusters, browsers or pipelines): under a minute
	$(BIN)/python -m pytest -q -m "not slow"

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf data models reports mlruns mlartifacts mlflow.db scores.db
