#!/usr/bin/env bash
# Execute notebooks/mez_overview.ipynb against a mez store (default: outputs/ from `mez demo`).
#
#   MEZ_STORE=outputs bash notebooks/run.sh
#
# Installs its Python packages into a venv outside the repo (MEZ_NB_VENV), writes the executed
# copy outside the repo (MEZ_NB_OUT), so the committed notebook keeps no outputs. Exits non-zero
# when any cell raises.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
store="${MEZ_STORE:-$(dirname "$here")/outputs}"
venv="${MEZ_NB_VENV:-$HOME/.cache/mez/nb-venv}"
out_dir="${MEZ_NB_OUT:-${TMPDIR:-/tmp}/mez-nb}"
notebook="$here/mez_overview.ipynb"

[ -d "$store/refs" ] || {
  echo "no mez store at $store (run \`cargo mez demo\` first, or set MEZ_STORE)" >&2
  exit 1
}
# The kernel runs in notebooks/, so hand it an absolute path.
MEZ_STORE="$(cd "$store" && pwd)"
export MEZ_STORE

# Major versions pinned; the venv is rebuilt only when this list changes.
requirements=(
  "nbconvert>=7,<8"
  "nbclient>=0.10,<1"
  "ipykernel>=6,<8"
  "polars>=1,<2"
  "duckdb>=1,<2"
  "pyarrow>=17,<27"
  "matplotlib>=3.8,<4"
)
stamp="$venv/.mez-requirements"
want="$(printf '%s\n' "${requirements[@]}")"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "installing notebook packages into $venv" >&2
  python3 -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
  # A kernel spec inside the venv, found first through JUPYTER_PATH below, so a `python3`
  # kernel installed elsewhere for this user cannot take the notebook to another interpreter.
  "$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
  printf '%s\n' "$want" >"$stamp"
fi

export JUPYTER_PATH="$venv/share/jupyter"
export JUPYTER_PLATFORM_DIRS=1
mkdir -p "$out_dir"
"$venv/bin/jupyter" nbconvert --to notebook --execute \
  --ExecutePreprocessor.timeout=600 \
  --ExecutePreprocessor.kernel_name=python3 \
  --output-dir "$out_dir" --output mez_overview.executed.ipynb \
  "$notebook"
echo "executed notebook: $out_dir/mez_overview.executed.ipynb" >&2
