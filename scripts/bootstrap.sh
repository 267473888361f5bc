#!/usr/bin/env bash
# Set up a fresh machine for vardmote: system packages (when root on Debian), then a virtualenv in
# .venv with vardmote and its development tools installed in editable mode. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Debian packages the project needs on the machine itself (none of them is a Python package):
# PostgreSQL for the registry's tests against a real server; systemd-nspawn, debootstrap, nftables,
# iproute2 and dnsmasq-base (its DNS) for the lab (`vardmote lab up`); poppler-utils and qpdf, with which the tests
# read back the support labels' PDF; chromium, chromium-driver and libnss3-tools (certutil) for the
# headless browser that joins calls and opens the readiness page as a patient's or technician's browser
# would (vardmote/verify/chromium.py); janus and coturn, the conferencing stand-in and TURN that the
# browser call and readiness tests run on this machine; kamailio, kamailio-tls-modules and sip-tester
# (SIPp): the phone path's test runs the gateway's own Kamailio configuration and the trunk's and room's
# ends (tests/integration/test_phone_path.py). Installed without recommends: a recommended package would
# otherwise rewrite nsswitch.conf.
APT_PACKAGES=(postgresql systemd-container debootstrap nftables iproute2 dnsmasq-base poppler-utils qpdf
    chromium chromium-driver libnss3-tools janus coturn kamailio kamailio-tls-modules sip-tester)

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
# setuptools warns that an editable install may import a same-named folder of the working directory;
# the project's one package is that folder, so the warning says nothing here and is silenced.
PYTHONWARNINGS="ignore:Editable installation" "$VENV/bin/python" -m pip install --quiet --editable '.[dev]'
# pip byte-compiles what it installs, but an editable install leaves the project's own modules as
# source: compiled here, once, so that no command compiles them again where Python may not write its
# caches (PYTHONDONTWRITEBYTECODE, a read-only checkout). Python still recompiles a changed module.
"$VENV/bin/python" -m compileall -q vardmote infra policies provisioning >/dev/null
# Pulumi starts a dynamic provider (the Pexip objects') in the program's folder, infra/, and looks
# there for the runtime option `virtualenv: .venv` rather than beside Pulumi.yaml (pulumi/pulumi#7907):
# a link makes both places the project's virtualenv.
if [ "$VENV" = ".venv" ] && [ ! -e infra/.venv ]; then
    ln -sfn ../.venv infra/.venv
fi
# The Pulumi engine, for `pulumi preview/up/refresh/destroy` (the offline commands need none). A
# `pulumi` already on PATH is used as it is: a production workstation installs it the vendor's way.
# Otherwise, where Go is, tools/pulumi-engine builds the CLI and the Python language host from the Go
# module proxy into $VENV/bin, with the Python executor and dynamic-provider launcher scripts of the
# same SDK module beside them (vardmote/platform/engine.py finds them there). Go keeps its module and
# build caches (GOMODCACHE, GOCACHE) and a stamp of the inputs skips the build when nothing changed.
install_engine() {
    local found engine_dir=tools/pulumi-engine bin_dir stamp_file stamp version sdk_dir started
    bin_dir=$(realpath "$VENV/bin")
    stamp_file="$bin_dir/.pulumi-engine.stamp"
    found=$(command -v pulumi || true)
    if [ -n "$found" ] && [ "$(realpath "$found")" != "$bin_dir/pulumi" ]; then
        say "Using the Pulumi engine on PATH: $found ($("$found" version 2>/dev/null || echo 'version unknown'))"
        return
    fi
    if ! command -v go >/dev/null; then
        if [ -x "$bin_dir/pulumi" ]; then
            say "No Go toolchain: keeping the Pulumi engine built earlier, $bin_dir/pulumi"
            return
        fi
        echo "note: no Pulumi engine: neither pulumi nor go is on PATH, so the engine tests are skipped (the offline commands work)" >&2
        return
    fi
    stamp=$( (go version; cat "$engine_dir/go.mod" "$engine_dir/go.sum"; find "$engine_dir/cmd" -name '*.go' -type f -print0 | sort -z | xargs -0 cat) | sha256sum | cut -d' ' -f1)
    if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] \
        && [ -x "$bin_dir/pulumi" ] && [ -x "$bin_dir/pulumi-language-python" ] \
        && [ -x "$bin_dir/pulumi-language-python-exec" ] && [ -x "$bin_dir/pulumi-resource-pulumi-python" ]; then
        say "Pulumi engine up to date: $bin_dir/pulumi"
        return
    fi
    version=$(cd "$engine_dir" && go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)
    say "Building the Pulumi engine $version from the Go module proxy (about 8 minutes on 2 cores the first time, seconds from the cache)"
    started=$SECONDS
    (cd "$engine_dir" && go build -trimpath \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
        -o "$bin_dir/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ./cmd/pulumi-language-python)
    # Module zips drop the executable bit, so the scripts are installed with mode 0755.
    sdk_dir=$(cd "$engine_dir" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
    install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$bin_dir/"
    printf '%s\n' "$stamp" >"$stamp_file"
    say "Pulumi engine $("$bin_dir/pulumi" version) in $bin_dir (built in $((SECONDS - started)) s)"
}
install_engine

say "Ready: $VENV/bin/vardmote --help"
