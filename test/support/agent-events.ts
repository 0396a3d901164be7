/**
 * The real agent's output as test input: export lines and the /metrics page that `cdk8s-tetragon verify` captured
 * from Tetragon v1.7.0 (test/fixtures/agent/, refreshed by `npm run agent-fixtures`). Tests select a line by its
 * index key and assert on what stays the same from run to run (kinds, field paths, binaries, policy names), never on
 * exec ids or times.
 *
 * The verifier runs the agent outside Kubernetes, so no captured line has `process.pod` or `cluster_name`. Tests of
 * pod-scoped behaviour put them on a real line with {@link inPod} and {@link inCluster}: small, named changes in the
 * shape Tetragon v1.7.0 gives them (api/v1/tetragon Pod and Container messages, protojson), on an otherwise real line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '..', 'fixtures', 'agent');
const LINES = readFileSync(join(DIR, 'events.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim());
const INDEX: Record<string, number> = JSON.parse(readFileSync(join(DIR, 'events.index.json'), 'utf8'));

/** The index keys of the captured lines (`process_exec/host`, `process_kprobe/<policy>`, ...). */
export const AGENT_EVENT_KEYS: readonly string[] = Object.keys(INDEX);

/** An exported event: one kind key (`process_exec`, ...) beside `node_name`, `time` and optional `cluster_name`. */
export type AgentEvent = Record<string, any>;

/** A fresh copy of the captured line with this index key; throws naming the keys there are. */
export function agentEvent(key: string): AgentEvent {
  const at = INDEX[key];
  if (at === undefined) throw new Error(`test/fixtures/agent has no line '${key}'; it has ${AGENT_EVENT_KEYS.join(', ')}`);
  return JSON.parse(LINES[at - 1]);
}

/** A fresh copy of the first captured `process_kprobe` line of a policy, if the run produced one. */
export function agentKprobe(policy: string): AgentEvent | undefined {
  return INDEX[`process_kprobe/${policy}`] === undefined ? undefined : agentEvent(`process_kprobe/${policy}`);
}

/** The event kind of a line (`process_exec`, `process_kprobe`, ...). */
export function kindOf(event: AgentEvent): string {
  return Object.keys(event).find((k) => k !== 'node_name' && k !== 'time' && k !== 'cluster_name' && k !== 'node_labels')!;
}

/** The event body of a line (`event.process_exec`, ...). */
export function bodyOf(event: AgentEvent): any {
  return event[kindOf(event)];
}

/** Where a pod-scoped variant puts its process. */
export interface PodPlacement {
  readonly namespace: string;
  /** @default `${namespace}-web-7d9f8-abcde` */
  readonly name?: string;
  /** @default 'web' */
  readonly container?: string;
  /** @default 'web' */
  readonly workload?: string;
}

/**
 * The line as the agent would export it for a process in a pod: `process.pod` in v1.7.0's shape (namespace, name,
 * container {id, name, image {id, name}, start_time, pid}, pod_labels, workload, workload_kind) and `process.docker`
 * (the container id the agent reads from the cgroup). With `enableK8sAPI` the agent adds these from the pod watcher;
 * the verifier's agent has no API server, so its lines never carry them.
 */
export function inPod(event: AgentEvent, placement: PodPlacement): AgentEvent {
  const out = JSON.parse(JSON.stringify(event));
  const workload = placement.workload ?? 'web';
  const containerId = '9f1c0e5a2b7d4e1c8a6f3b2d1e0c9a8b7f6e5d4c3b2a1908f7e6d5c4b3a29180';
  const body = bodyOf(out);
  body.process.pod = {
    namespace: placement.namespace,
    name: placement.name ?? `${placement.namespace}-${workload}-7d9f8-abcde`,
    container: {
      id: `containerd://${containerId}`,
      name: placement.container ?? 'web',
      image: {
        id: 'docker.io/library/nginx@sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac',
        name: 'docker.io/library/nginx:1.27',
      },
      start_time: body.process.start_time,
      pid: 1,
    },
    pod_labels: { app: workload },
    workload,
    workload_kind: 'Deployment',
  };
  body.process.docker = containerId.slice(0, 31);
  return out;
}

/** The line as an agent with `tetragon.clusterName` set exports it (a top-level `cluster_name`). */
export function inCluster(event: AgentEvent, cluster: string): AgentEvent {
  return { ...JSON.parse(JSON.stringify(event)), cluster_name: cluster };
}

/** The agent's /metrics page at the end of the run (Prometheus text format). */
export function agentMetricsText(): string {
  return readFileSync(join(DIR, 'metrics.txt'), 'utf8');
}
