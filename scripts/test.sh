#!/usr/bin/env bash
# The whole test suite: lint and type checks, then the tests. Run scripts/bootstrap.sh first.
# Extra arguments go to pytest, e.g. scripts/test.sh -k matrix
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
    echo "error: no virtualenv at $VENV; run scripts/bootstrap.sh first" >&2
    exit 1
fi
export PATH="$PWD/$VENV/bin:$PATH"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

step "ruff (lint and format)"
ruff check .
ruff format --check .
step "mypy (strict)"
mypy
# The thin entry points outside the package, one folder at a time: their module names repeat
# (__main__ in infra/ and policies/; each Ansible module has an action plugin of the same name).
for entry_points in infra policies provisioning/library provisioning/action_plugins provisioning/filter_plugins; do
    mypy --no-error-summary "$entry_points"
done
step "import-linter (layers, independence, no cycles)"
lint-imports --no-cache
step "yamllint"
yamllint --strict .
step "ansible-lint (the kit playbooks, site.yml and its roles)"
(cd provisioning && ansible-lint --nocolor -q enroll_kit.yml enroll_batch.yml replace_kit.yml retire_kit.yml tasks/ site.yml roles/)
step "JSON Schemas of device_profiles are current"
vardmote profiles schema --check
step "pytest (with a throwaway PostgreSQL for the registry tests)"
# shellcheck source=postgres-for-tests.sh
. scripts/postgres-for-tests.sh
pytest "$@"
