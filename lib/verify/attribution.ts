/**
 * Attributes the agent's exported events to the triggers that caused them. Each trigger runs between two
 * execs of `vt-run mark begin|end N`; the agent exports those execs like any other, so the window of trigger
 * N is the span between the two marker events in the agent's own clock, and a policy event belongs to the
 * trigger whose window holds its time. Triggers run one after another, so windows never overlap.
 */

/** Event kinds that carry a policy verdict (`policy_name`). */
export const POLICY_EVENT_KINDS = ['process_kprobe', 'process_tracepoint', 'process_lsm', 'process_uprobe', 'process_usdt'] as const;

/** One exported line, parsed. */
export interface ExportEvent {
  /** `process_exec`, `process_kprobe`, ... */
  readonly kind: string;
  /** Microseconds since the epoch (from `time`). */
  readonly time: number;
  readonly body: any;
  /** The line as exported. */
  readonly line: string;
}

/** A policy's event, as the report shows it. */
export interface PolicyEvent {
  readonly policy: string;
  readonly kind: string;
  /** `function_name` of kprobes, `subsys/event` of tracepoints, the hook of LSM events. */
  readonly hook: string;
  readonly binary: string;
  readonly arguments: string;
  readonly time: number;
  readonly line: string;
}

/** Microseconds since the epoch of an RFC 3339 time with up to nanoseconds (`2026-11-30T14:23:33.735179080Z`). */
export function parseEventTime(iso: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
  if (!m) return NaN;
  const seconds = Date.parse(`${m[1]}Z`) / 1000;
  const micros = Number(((m[2] ?? '') + '000000').slice(0, 6));
  return seconds * 1e6 + micros;
}

/** Parses export JSON lines; lines that are not events are skipped and counted. */
export function parseExport(text: string): { events: ExportEvent[]; skipped: number } {
  const events: ExportEvent[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let obj: any;
    try {
      obj = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const kind = Object.keys(obj).find((k) => k !== 'node_name' && k !== 'time' && k !== 'cluster_name' && k !== 'aggregation_info');
    const time = parseEventTime(String(obj.time ?? ''));
    if (!kind || !Number.isFinite(time)) {
      skipped++;
      continue;
    }
    events.push({ kind, time, body: obj[kind], line });
  }
  events.sort((a, b) => a.time - b.time);
  return { events, skipped };
}

/** The window of one trigger in the agent's clock. */
export interface TriggerWindow {
  readonly index: number;
  readonly begin?: number;
  readonly end?: number;
  /** Set when a marker event was lost and the window was estimated from the guest's own clock. */
  readonly estimated?: boolean;
}

/** When the guest wrote a trigger's begin and end records (its uptime, seconds). */
export interface GuestTriggerTimes {
  readonly index: number;
  readonly begin: number;
  readonly end: number;
}

/**
 * Fills the windows whose marker events the agent lost (its ring buffer overflows in bursts) from the guest's
 * records: the offset between the agent's clock and the guest's uptime is the median over the complete windows,
 * and an estimated window is clamped between its neighbours so it never takes their events.
 */
export function estimateMissingWindows(
  windows: Map<number, TriggerWindow>,
  guest: readonly GuestTriggerTimes[],
  marginMicros = 200_000,
): Map<number, TriggerWindow> {
  const offsets = guest
    .map((g) => ({ g, w: windows.get(g.index) }))
    .filter((x) => x.w?.begin !== undefined)
    .map((x) => x.w!.begin! - x.g.begin * 1e6)
    .sort((a, b) => a - b);
  if (offsets.length === 0) return windows;
  const offset = offsets[Math.floor(offsets.length / 2)];
  const out = new Map(windows);
  const complete = [...windows.values()].filter((w) => w.begin !== undefined && w.end !== undefined);
  for (const g of guest) {
    const w = windows.get(g.index);
    if (w?.begin !== undefined && w?.end !== undefined) continue;
    let begin = w?.begin ?? g.begin * 1e6 + offset - marginMicros;
    let end = w?.end ?? g.end * 1e6 + offset + marginMicros;
    for (const c of complete) {
      if (c.end! <= (w?.begin ?? g.begin * 1e6 + offset)) begin = Math.max(begin, c.end!);
      if (c.begin! >= (w?.end ?? g.end * 1e6 + offset)) end = Math.min(end, c.begin!);
    }
    out.set(g.index, { index: g.index, begin, end, estimated: true });
  }
  return out;
}

/** Finds the marker execs (`vt-run mark begin|end N`) and returns each trigger's window. */
export function triggerWindows(events: readonly ExportEvent[]): Map<number, TriggerWindow> {
  const windows = new Map<number, { index: number; begin?: number; end?: number }>();
  for (const e of events) {
    if (e.kind !== 'process_exec') continue;
    const p = e.body?.process ?? {};
    if (!String(p.binary ?? '').endsWith('/vt-run')) continue;
    const m = /^mark (begin|end) (\d+)$/.exec(String(p.arguments ?? '').trim());
    if (!m) continue;
    const index = Number(m[2]);
    const w = windows.get(index) ?? { index };
    if (m[1] === 'begin') w.begin = e.time;
    else w.end = e.time;
    windows.set(index, w);
  }
  return windows;
}

/** The policy event view of an exported event, or undefined for other kinds. */
export function policyEvent(e: ExportEvent): PolicyEvent | undefined {
  if (!(POLICY_EVENT_KINDS as readonly string[]).includes(e.kind)) return undefined;
  const b = e.body ?? {};
  const hook = b.function_name ?? (b.subsys && b.event ? `${b.subsys}/${b.event}` : undefined) ?? b.hook ?? '';
  return {
    policy: String(b.policy_name ?? ''),
    kind: e.kind,
    hook: String(hook),
    time: e.time,
    line: e.line,
    binary: String(b.process?.binary ?? ''),
    arguments: String(b.process?.arguments ?? ''),
  };
}

/** Policy events per trigger window, and those outside every window (the agent's and the plan's own activity). */
export interface Attribution {
  readonly windows: Map<number, TriggerWindow>;
  readonly byTrigger: Map<number, PolicyEvent[]>;
  readonly outside: PolicyEvent[];
}

/** Assigns every policy event to the window that holds its time (windows with lost markers estimated from `guest`). */
export function attributeEvents(events: readonly ExportEvent[], guest: readonly GuestTriggerTimes[] = []): Attribution {
  const windows = estimateMissingWindows(triggerWindows(events), guest);
  const complete = [...windows.values()].filter((w) => w.begin !== undefined && w.end !== undefined) as Required<TriggerWindow>[];
  const byTrigger = new Map<number, PolicyEvent[]>();
  const outside: PolicyEvent[] = [];
  for (const e of events) {
    const pe = policyEvent(e);
    if (!pe) continue;
    const w = complete.find((x) => x.begin <= pe.time && pe.time <= x.end);
    if (w) {
      const list = byTrigger.get(w.index) ?? [];
      list.push(pe);
      byTrigger.set(w.index, list);
    } else {
      outside.push(pe);
    }
  }
  return { windows, byTrigger, outside };
}
