#!/usr/bin/env bash
# Installs the Debian 12 packages ParamScope builds, tests and runs with; does nothing when
# they are all there already. Every dependency comes from Debian: nothing is downloaded at
# configure or build time.
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config ccache
    qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqt6svg6 libqt6opengl6-dev
    libqcustomplot-dev libqcustomplot2.1-qt6
    libvtk9-dev mpi-default-dev
    libtorch-dev libopenblas0-pthread
    libyaml-cpp-dev nlohmann-json3-dev libsqlite3-dev zlib1g-dev
    libeigen3-dev
    dataset-fashion-mnist
    xvfb xauth fonts-dejavu-core
    python3  # the command task example (resources/examples/command)
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
