#!/usr/bin/env bash
# Set up a fresh machine for vardmote: system packages (when root on Debian), then a virtualenv in
# .venv with vardmote and its development tools installed in editable mode. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Debian packages the project needs on the machine itself (none of them is a Python package):
# PostgreSQL for the registry's tests against a real server; systemd-nspawn, debootstrap, nftables
# and iproute2 for the lab's hosts (`vardmote lab up`); poppler-utils and qpdf, with which the tests
# read back the support labels' PDF. Installed without recommends: a recommended
# package would otherwise rewrite nsswitch.conf.
APT_PACKAGES=(postgresql systemd-container debootstrap nftables iproute2 poppler-utils qpdf)

if [ "${#APT_PACKAGES[@]}" -gt 0 ] && command -v apt-get >/dev/null; then
    missing=()
    for package in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" -ne 0 ]; then
            # vardmote itself runs without them; the registry's PostgreSQL tests and the lab need them.
            echo "note: not root, so these Debian packages are not installed: ${missing[*]} (the PostgreSQL and lab tests will be skipped)" >&2
        else
            say "Installing Debian packages: ${missing[*]}"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
        fi
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtualenv $VENV"
    if ! "$PYTHON" -m venv "$VENV"; then
        echo "error: '$PYTHON -m venv' failed; on Debian install python3-venv (apt-get install python3-venv)" >&2
        exit 1
    fi
fi

say "Installing vardmote and its development tools into $VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet --editable '.[dev]'
# pip byte-compiles what it installs, but an editable install leaves the project's own modules as
# source: compiled here, once, so that no command compiles them again where Python may not write its
# caches (PYTHONDONTWRITEBYTECODE, a read-only checkout). Python still recompiles a changed module.
"$VENV/bin/python" -m compileall -q vardmote infra policies provisioning >/dev/null
say "Ready: $VENV/bin/vardmote --help"
