# Shared by the Makefiles `sam build` runs (BuildMethod: makefile). sam runs them in a
# scratch copy of the CodeUri with ARTIFACTS_DIR set; this file is included from the
# original tree, so REPO_ROOT is the checkout (for the commit written into artifacts).
PYTHON ?= python3.12
REPO_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)

check-python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), "need Python 3.12 (the Lambda runtime), got " + sys.version'

# $(call build-info,<file>): the commit the artifact was built from (read by `health`).
define build-info
	$(PYTHON) $(REPO_ROOT)/scripts/build_info.py --repo $(REPO_ROOT) --out "$(1)"
endef

# $(call byte-compile,<dir>,<path Lambda mounts ARTIFACTS_DIR at>): unchecked-hash .pyc
# (no compile on the read-only mount at cold start, no mtimes embedded), Lambda paths in
# tracebacks, and a fixed hash seed, so two builds of the same tree are byte-identical.
define byte-compile
	PYTHONHASHSEED=0 $(PYTHON) -m compileall -q -j 1 --invalidation-mode unchecked-hash \
		-s "$(ARTIFACTS_DIR)" -p $(2) "$(1)"
endef
