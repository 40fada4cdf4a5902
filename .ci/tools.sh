#!/usr/bin/env bash
# What the tools' tests need from outside Python, installed before the test command runs:
# - the YAML language server VS Code uses (npm, pinned by .ci/lsp/package-lock.json), which
#   tests/tools/test_schema_lsp.py drives over LSP against `instantiate schema` output;
# - bash-completion (Debian), so the completion script is tested beside bash's own completions.
# Under CI=true those tests fail instead of skipping when something here is missing.
set -euo pipefail
cd "$(dirname "$0")"
start=$SECONDS
if ! command -v npm >/dev/null && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
    apt_updated=1
fi
npm ci --prefix lsp --no-audit --no-fund --loglevel=error >/dev/null
if [ ! -f /usr/share/bash-completion/bash_completion ] && command -v apt-get >/dev/null; then
    [ -n "${apt_updated:-}" ] || apt-get update -qq
    apt-get install -y -qq bash-completion >/dev/null
fi
echo "tools for the tests: yaml-language-server $(node -p "require('./lsp/node_modules/yaml-language-server/package.json').version"), bash-completion $([ -f /usr/share/bash-completion/bash_completion ] && echo yes || echo no) in $((SECONDS - start))s"
