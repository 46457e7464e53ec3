# The two commands of the README. Each installs what is missing, configures and builds.
#   make demo   the demo study: the desktop app on it (with a display) or headless + export
#   make test   the whole test suite, GUI tests under a private Xvfb
#   make bench  the benchmarks (figures, not tests)

.PHONY: demo test bench deps release headless clean

deps:
	scripts/install-deps.sh

release: deps
	cmake --preset release
	cmake --build --preset release -j $$(nproc)

demo: release
	scripts/demo.sh

test: deps
	scripts/test.sh

bench: release
	cmake --build --preset release --target bench

headless: deps
	cmake --preset headless
	cmake --build --preset headless -j $$(nproc)
	ctest --preset headless

clean:
	rm -rf build
