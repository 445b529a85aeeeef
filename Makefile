# Entry points. `make run` and `make test` are all a fresh Debian 12 machine needs:
# both run tools/setup.sh first, which installs missing Debian packages.
JOBS ?= $(shell nproc)
CTEST = ctest --output-on-failure -j $(JOBS)

.PHONY: setup build run release test test-debug test-asan test-tsan bench fuzz release-build format clean

setup:
	@tools/setup.sh

build: setup
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

release-build: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# The demo release (examples/kv_release), started with a shell on this terminal.
run: release-build
	@echo ">>> kvdemo: a key-value service on 127.0.0.1:7070 (README: 'The demo release')"
	@build/release/releases/kvdemo/bin/kvdemo console

# The demo release's tarball.
release: release-build
	@echo "$(CURDIR)/build/release/releases/kvdemo-1.0.0.tar.gz"

test: test-debug test-asan test-tsan

test-debug: build
	@cd build/debug && $(CTEST)

test-asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST) -L sanitize

test-tsan: setup
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS)
	@cd build/tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(CTEST) -L sanitize

bench: release-build
	@python3 bench/run.py --build build/release

fuzz: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan --target fuzz

format:
	@find include src tests bench examples tools -name '*.hpp' -o -name '*.cpp' | xargs clang-format -i

clean:
	@rm -rf build
