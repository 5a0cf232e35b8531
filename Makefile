# The two commands: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
JOBS ?= $(shell nproc)

.PHONY: help setup build release install test test-dev test-asan test-fuzz demo bench clean

help:
	@echo "make demo   install, build, run the pipeline on generated data and serve the dashboard"
	@echo "make test   install, build and run every test (under ASan and UBSan, and a short fuzz run)"
	@echo "make bench  run the benchmarks under bench/ (release build)"
	@echo "make install PREFIX=DIR  install the release build into DIR (bin/, lib/, share/playlake/)"

setup:
	@scripts/setup.sh

build: setup
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

release: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# One relocatable tree: PREFIX/bin/playlake finds PREFIX/lib/libduckdb.so and
# PREFIX/share/playlake (models, dashboard) relative to itself.
PREFIX ?= /usr/local
install: release
	cmake --install build/release --prefix $(PREFIX)

test-dev: build
	ctest --preset dev

test-asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	ctest --preset asan

# Each libFuzzer target under fuzz/ for FUZZ_SECONDS (default 20; fuzz/README.md
# tells how to run them for hours). Fails on a crash, a leak, a hang or a broken property.
FUZZ_SECONDS ?= 20
test-fuzz: setup
	@cmake --preset fuzz -DPLAYLAKE_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	ctest --preset fuzz

# Every test runs once, in the asan build (the dev build runs the same tests, unsanitised:
# `make test-dev` is the quicker loop while working).
test: test-asan test-fuzz

demo: release
	build/release/src/cli/playlake demo

bench: release
	bench/run.sh

clean:
	rm -rf build
