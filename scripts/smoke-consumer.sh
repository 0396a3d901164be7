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
# Consumers get the compiled library, its generated imports and the kernel tables: no tests, fixtures,
# dist/ YAML, TypeScript sources or source maps.
if tar -tzf "$work/$tarball" | grep -E '^package/(test|dist|examples|scripts|lib|imports)/|\.map$|\.test\.|fixtures|\.ts$' | grep -v '\.d\.ts$'; then
  echo "the package contains files consumers do not need (listed above)" >&2
  exit 1
fi

mkdir "$work/consumer" && cd "$work/consumer"
npm init -y >/dev/null
# The consumer brings its own cdk8s, constructs and TypeScript (peer dependencies of the package).
cdk8s_version="$(node -p "require('$root/node_modules/cdk8s/package.json').version")"
constructs_version="$(node -p "require('$root/node_modules/constructs/package.json').version")"
npm install --no-audit --no-fund --silent "$work/$tarball" "cdk8s@$cdk8s_version" "constructs@$constructs_version" typescript@5.9 @types/node@20 >/dev/null

cat > consumer.ts <<'TS'
import { App } from 'cdk8s';
import { TetragonCluster, ShellAccessMonitor, synthesizeUnits, crds } from 'cdk8s-tetragon';

const app = new App();
const cluster = new TetragonCluster(app, 'smoke', { clusterName: 'smoke', enableNetworkMonitor: true });
new ShellAccessMonitor(cluster.policies, 'ExtraShells', { name: 'extra-shells', shells: ['fish'] });
const kind: string = crds.tetragon.TracingPolicy.GVK.kind;
synthesizeUnits(app, 'out/smoke');
console.log(`synthesized ${kind} objects into out/smoke`);
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "esModuleInterop": true, "skipLibCheck": false, "outDir": "js" }, "files": ["consumer.ts"] }
JSON
npx tsc -p .
node js/consumer.js
ls out/smoke/policies
npx cdk8s-tetragon check out/smoke
echo "consumer smoke test passed"
