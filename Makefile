# kanwu — two commands on a fresh Debian machine:
#   make demo   set everything up, then check the sample content and build the site and PDFs
#   make test   run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test check clean bench bench-smoke docs golden

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/constraints.txt scripts/setup-system.sh scripts/fontconfig/kanwu-word-fonts.conf
	bash scripts/setup-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c scripts/constraints.txt -e '.[test]'
	touch $(STAMP)

demo: setup
	$(BIN)/kanwu check
	$(BIN)/kanwu build --all-audiences
	@mkdir -p build/demo && $(BIN)/python scripts/demo/sample_docx.py build/demo/报送样例.docx
	$(BIN)/kanwu import --dry-run build/demo/报送样例.docx --category 动态 --date 2026-11-24
	$(BIN)/kanwu docx 上报 212
	@echo "网站已生成：site/quanti（全体）、site/lingdao（领导），每期的 PDF 和 Word 文档在各期页面下载。预览：$(BIN)/python -m http.server -d site 8000"

test: setup
	$(BIN)/ruff check --quiet scripts tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

docs: setup
	PYTHONPATH=scripts $(BIN)/cog -r README.md

golden: setup
	$(BIN)/python tests/golden.py

bench: setup
	$(BIN)/python scripts/bench.py --sizes 5000 20000 50000 --out BENCHMARKS.md

bench-smoke: setup
	$(BIN)/python scripts/bench.py --sizes 1000 --out build/bench/BENCHMARKS-smoke.md

check: setup
	$(BIN)/kanwu check

clean:
	rm -rf build site test-artifacts
