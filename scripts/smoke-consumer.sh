#!/usr/bin/env bash
# Consumer smoke test: pack the package, install the tarball into a fresh project, compile a TypeScript
# consumer that builds a chart from the package's constructs, synthesize it, and check the output with the CLI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -1)"
echo "packed $tarball ($(du -h "$work/$tarball" | cut -f1), $(tar -tzf "$work/$tarball" | wc -l) files)"
# Consumers get the compiled library, its generated imports, the kernel tables and the verifier's trigger sources
# (compiled where the verifier runs): no tests, fixtures, dist/ YAML, TypeScript sources or source maps.
if tar -tzf "$work/$tarball" | grep -E '^package/(test|dist|examples|scripts|lib|imports)/|\.map$|\.test\.|fixtures|\.ts$' | grep -v '\.d\.ts$' \
  | grep -vE '^package/lib/verify/triggers/[^/]+\.[ch]$'; then
  echo "the package contains files consumers do not need (listed above)" >&2
  exit 1
fi

# The README's "Use it in your project" section, verbatim, with the TypeScript a fresh install brings and with 5.9.
cdk8s_version="$(node -p "require('$root/node_modules/cdk8s/package.json').version")"
constructs_version="$(node -p "require('$root/node_modules/constructs/package.json').version")"
readme_block() { # <language> <first line prefix>
  node -e '
    const [lang, first] = process.argv.slice(1);
    const re = new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g");
    const block = [...require("fs").readFileSync(process.argv[3], "utf8").matchAll(re)].map((m) => m[1]).find((b) => b.startsWith(first));
    if (!block) { console.error(`README has no ${lang} block starting with ${first}`); process.exit(1); }
    process.stdout.write(block);' "$1" "$2" "$root/README.md"
}
for ts_version in latest 5.9; do
  mkdir "$work/consumer-$ts_version" && cd "$work/consumer-$ts_version"
  npm init -y >/dev/null && npm pkg set type=module
  # No @types/node: the package's declarations must not need it.
  npm install --no-audit --no-fund --silent "$work/$tarball" "cdk8s@$cdk8s_version" "constructs@$constructs_version" >/dev/null
  npm install --no-audit --no-fund --silent --save-dev "typescript@$ts_version" >/dev/null
  readme_block json '{' > tsconfig.json
  readme_block ts '// main.ts in your project' > main.ts
  echo "consumer with TypeScript $(npx tsc --version)"
  npx tsc -p .
  # Declarations checked too (skipLibCheck off), without @types packages, as TypeScript 7 defaults to.
  npx tsc -p . --noEmit --skipLibCheck false --types '' 2>&1 | grep 'node_modules/cdk8s-tetragon/' && { echo "the package's declarations do not type-check" >&2; exit 1; }
  node main.js
  ls dist/staging/policies dist/prod/policies >/dev/null
  for c in dist/*/; do npx cdk8s-tetragon check "$c" | tail -1; done
  npx cdk8s-tetragon --version
done
echo "consumer smoke test passed"
