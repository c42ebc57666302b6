# Routine jobs for developers. Each target is a thin alias for ./marquee, which
# also works on a machine without make.
.PHONY: up test generate lint breaking bench

up:
	./marquee up

test:
	./marquee test

generate:
	./marquee generate

lint:
	./marquee generate --check
	.venv/bin/python scripts/protodeps.py
	.venv/bin/buf lint
	.venv/bin/ruff check .
	.venv/bin/mypy

breaking:
	.venv/bin/python scripts/breaking.py

bench:
	.venv/bin/python benchmarks/bench_auth_unary.py
