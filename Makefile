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
