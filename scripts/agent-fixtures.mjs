#!/usr/bin/env node
// Refreshes test/fixtures/agent/ from a verifier run: real export lines of every event kind the agent
// exported (process_exec on the node and in a container, process_exit, one process_kprobe per policy,
// process_loader, ...) and the agent's /metrics page.
//
//   node scripts/agent-fixtures.mjs [ARTIFACTS_DIR]     (default: build/e2e/artifacts/debian-12)
//
// ARTIFACTS_DIR is one kernel's artifacts folder of `cdk8s-tetragon verify` (export.jsonl, metrics.txt).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const from = resolve(process.argv[2] ?? join(root, 'build', 'e2e', 'artifacts', 'debian-12'));
const out = join(root, 'test', 'fixtures', 'agent');
for (const f of ['export.jsonl', 'metrics.txt']) {
  if (!existsSync(join(from, f))) {
    console.error(`${join(from, f)} is missing: run the verifier first (npm run e2e), or name a kernel's artifacts folder`);
    process.exit(2);
  }
}

const events = readFileSync(join(from, 'export.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((line) => {
    const obj = JSON.parse(line);
    const kind = Object.keys(obj).find((k) => k !== 'node_name' && k !== 'time');
    return { kind, body: obj[kind], line };
  });
// The verifier's marker execs (`vt-run mark ...`) are not workload; leave them out.
const isMarker = (e) =>
  String(e.body?.process?.binary ?? '').endsWith('/vt-run') && String(e.body?.process?.arguments ?? '').startsWith('mark ');
// Protobuf JSON leaves out false: a container process has a mount namespace without `is_host`.
const inContainer = (e) => !!e.body?.process?.ns?.mnt?.inum && !e.body.process.ns.mnt.is_host;
// A process the agent saw exec (flag `execve`) is a better sample than one it found in /proc at start (`procFS`, e.g.
// `<kernel>`), and a workload's process better than the runtime's own (runc, or runc init re-executing itself as
// /proc/self/exe): the first seen wins unless a later one ranks higher.
const seenExec = (e) =>
  String(e.body?.process?.flags ?? '')
    .split(' ')
    .includes('execve');
const isRuntime = (e) => /^\/proc\/|\/runc$/.test(String(e.body?.process?.binary ?? ''));
const rank = (e) => (seenExec(e) ? 1 : 0) + (isRuntime(e) ? 0 : 2);
const picked = new Map();
const pick = (key, e) => {
  if (!picked.has(key) || rank(e) > rank(picked.get(key))) picked.set(key, e);
};
for (const e of events) {
  if (isMarker(e)) continue;
  if (e.kind === 'process_exec') pick(inContainer(e) ? 'process_exec/container' : 'process_exec/host', e);
  else if (e.kind === 'process_exit') pick(inContainer(e) ? 'process_exit/container' : 'process_exit/host', e);
  else if (e.body?.policy_name) pick(`${e.kind}/${e.body.policy_name}`, e);
  else pick(e.kind, e);
}
const keys = [...picked.keys()].sort();
// The lines are the guest's view; a path of the machine that ran the verifier must not end up in the repository.
for (const k of keys) {
  for (const local of [root, from]) {
    if (picked.get(k).line.includes(local)) {
      console.error(`${k}: the captured line contains ${local}, a path of this machine; not writing fixtures`);
      process.exit(1);
    }
  }
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'events.jsonl'), keys.map((k) => picked.get(k).line).join('\n') + '\n');
writeFileSync(join(out, 'events.index.json'), JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, i + 1])), null, 2) + '\n');
writeFileSync(join(out, 'metrics.txt'), readFileSync(join(from, 'metrics.txt')));
console.log(
  `test/fixtures/agent: ${keys.length} events (${[...new Set(keys.map((k) => k.split('/')[0]))].join(', ')}) and the metrics page from ${from}`,
);
