#!/usr/bin/env bash
# Prints the directory of a python3 that imports numpy, scikit-learn,
# XGBoost and PyTorch: the interpreter of the reference adapters
# (adapters/) and of the experiments that run them. The make targets put
# it first on PATH, so that `command: [python3, ...]` in an experiment
# finds it even where another python3 (pyenv's, say) comes first.
#
# When no python3 on PATH (or Debian's /usr/bin/python3) has them, it
# installs Debian's packages (python3-sklearn 1.2.1, python3-xgboost
# 1.7.4, python3-torch 1.13.1) with apt-get, as root or through sudo.
set -euo pipefail

modules="numpy, sklearn, xgboost, torch"

find_python() {
  local seen=" "
  IFS=: read -r -a dirs <<< "/usr/bin:${PATH}"
  for d in "${dirs[@]}"; do
    [ -n "$d" ] || continue
    case "$seen" in *" $d "*) continue ;; esac
    seen="$seen$d "
    if [ -x "$d/python3" ] && "$d/python3" -c "import $modules" >/dev/null 2>&1; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

if dir=$(find_python); then
  echo "$dir"
  exit 0
fi

echo "python-env: no python3 imports $modules; installing Debian's packages" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "python-env: no apt-get here: install numpy, scikit-learn 1.2, xgboost 1.7 and torch for a python3 on PATH" >&2
  exit 1
fi
{
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-sklearn python3-xgboost python3-torch
} >&2
if dir=$(find_python); then
  echo "$dir"
  exit 0
fi
echo "python-env: installed, yet no python3 imports $modules" >&2
exit 1
