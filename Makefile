# The two commands of the README. Everything else is in scripts/.
.PHONY: demo test setup clean

demo: ## set up and serve the demo (SQLite, Ambito di Treviglio, synthetic data)
	@scripts/demo.sh

test: ## set up and run every check and test (PostgreSQL, SQLite, browser)
	@scripts/test.sh

setup:
	@scripts/setup.sh dev

clean:
	rm -rf .venv var

.PHONY: bench  # bench/ is also a directory
bench: ## province data set and benchmark suite on a throwaway PostgreSQL (SCALE=0.1: quick)
	@bench/bench.sh
