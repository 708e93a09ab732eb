#!/usr/bin/env bash
# Known-vulnerability audit of the packages installed in newswatch's environment (PyPA's pip-audit).
#
#   scripts/audit.sh [PYTHON] [PIP-AUDIT OPTIONS...]
#     PYTHON: the interpreter of the environment to audit (default: .venv/bin/python)
#     e.g.  scripts/audit.sh .venv/bin/python --vulnerability-service osv
#
# pip-audit runs from a throwaway virtualenv, so it adds nothing to the audited
# environment. It looks every installed (pinned) package up in a vulnerability
# service: the PyPI JSON API (https://pypi.org/pypi/NAME/VERSION/json) by
# default, or OSV (https://api.osv.dev) with --vulnerability-service osv.
# --strict makes a package that could not be looked up fail the audit: without
# it, an unreachable service ends in "No known vulnerabilities found" having
# checked nothing (that is what a PyPI mirror without the JSON API gives).
#
# Exit 0: no known vulnerability; 1: findings, or a package could not be checked.
# A finding is fixed by raising the package's lower bound in pyproject.toml
# (for a direct dependency) or by pinning the fixed version (for a transitive one).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${1:-.venv/bin/python}"
shift || true
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The environment's packages, pinned; newswatch itself is not on PyPI.
"$python" -m pip freeze --exclude-editable | grep -viE '^(newswatch([=@ ]|$)|-e )' | grep -v ' @ file:' \
    > "$work/requirements.txt"
python3 -m venv "$work/audit"
"$work/audit/bin/pip" install -q pip-audit
"$work/audit/bin/pip-audit" --strict --no-deps --disable-pip --progress-spinner off \
    -r "$work/requirements.txt" "$@"
