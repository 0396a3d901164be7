import type { KernelTable } from '../kernels/kernel-table';
import { LIMITS } from '../model/limits';
import { HookView, str } from '../model/private/policy-reader';
import { canonicalAction } from '../model/private/vocabulary';
import { CheckOptions, FindingSink } from './finding';

// Tetragon v1.7.0 writes a Post action as six values (pkg/selectors/kernel.go ParseMatchAction: action, rate
// limit, scope, kernel stack, user stack, IMA hash), but the BPF objects it loads on kernels before 5.11 (the
// `_v53` and base variants) read only the first five: the IMA hash is read under __V511_BPF_PROG
// (bpf/process/generic_calls.h do_action). The action loop then runs the unread slot (0, i.e. Post) as one
// more action, whose arguments are whatever follows: the next action, or the header of the next selector.
// This module replays that loop for each selector.

/** Action codes (pkg/selectors/kernel.go actionTypeTable). */
const CODES: Record<string, number> = {
  post: 0,
  followfd: 1,
  sigkill: 2,
  unfollowfd: 3,
  override: 4,
  copyfd: 5,
  geturl: 6,
  dnslookup: 7,
  nopost: 8,
  signal: 9,
  tracksock: 10,
  untracksock: 11,
  notifyenforcer: 12,
  cleanupenforcernotification: 13,
  set: 14,
};
const NAMES = Object.fromEntries(Object.entries(CODES).map(([name, code]) => [code, name]));
/** How many argument slots the pre-5.11 BPF action loop reads after each action code (do_action). */
const ARGS_READ_BEFORE_511: Record<number, number> = { 0: 4, 1: 2, 3: 2, 4: 1, 5: 2, 6: 1, 7: 1, 9: 1, 10: 1, 11: 1, 12: 3, 14: 2 };
/** The loop's bound (bpf/process/types/basic.h MAX_ACTIONS). */
const MAX_ACTIONS = LIMITS.actionsPerSelector;
/** A slot beyond the selector's actions that holds the next selector's header (its lengths are never 0). */
const NEXT_SELECTOR = Number.NaN;
/** A slot whose value the checker cannot know (a table id): assumed non-zero. */
const UNKNOWN = 1;

const flag = (x: unknown) => (x === true ? 1 : 0);
const num = (x: unknown, dflt = 0) => (typeof x === 'number' ? x : typeof x === 'string' && /^-?\d+$/.test(x) ? Number(x) : dflt);

/** The slots ParseMatchAction writes for one action; the first is the action code (NaN when unknown). */
function encode(a: Record<string, unknown>): number[] {
  const name = canonicalAction(a.action)?.toLowerCase() ?? '';
  const code = CODES[name] ?? Number.NaN;
  switch (name) {
    case 'post': {
      const rate = str(a.rateLimit) ?? '';
      const limited = rate !== '' && !/^0+[smh]?$/i.test(rate);
      const scope = limited ? (({ process: 1, global: 2 } as Record<string, number>)[str(a.rateLimitScope) ?? ''] ?? 0) : 0;
      return [code, limited ? 1 : 0, scope, flag(a.kernelStackTrace), flag(a.userStackTrace), flag(a.imaHash)];
    }
    case 'followfd':
    case 'unfollowfd':
    case 'copyfd':
      return [code, num(a.argFd), num(a.argName)];
    case 'override':
      return [code, num(a.argError, UNKNOWN)];
    case 'geturl':
    case 'dnslookup':
      return [code, UNKNOWN];
    case 'signal':
      return [code, num(a.argSig, UNKNOWN)];
    case 'tracksock':
    case 'untracksock':
      return [code, num(a.argSock)];
    case 'notifyenforcer':
      return [
        code,
        num(a.argError),
        num(a.argSig),
        a.enforcerNotifyActionArgIndex === undefined ? UNKNOWN : num(a.enforcerNotifyActionArgIndex),
      ];
    case 'set':
      return [code, num(a.argIndex), num(a.argValue)];
    default:
      return [code];
  }
}

/** What the pre-5.11 action loop does wrong with one selector's actions, or undefined when it runs them as written. */
export interface PostMisread {
  /** The loop reads the next selector's header as a Post's rate limit and stack-trace flags. */
  readonly readsNextSelector: boolean;
  /** Declared actions (by index) that never run; plain Posts without arguments are left out (they do nothing). */
  readonly skipped: number[];
  /** Slots run as an action that is not in the list, with a non-zero value. */
  readonly phantoms: { readonly action: string; readonly values: readonly number[] }[];
}

/**
 * Replays bpf/process/generic_calls.h do_actions as compiled without __V511_BPF_PROG over the slots the agent
 * writes for `actions`. `last`: whether the selector is the hook's last (its data is then followed by zeros).
 */
export function replayActionsBefore511(actions: readonly Record<string, unknown>[], last: boolean): PostMisread | undefined {
  const slots: number[] = [];
  const startOf = new Map<number, number>();
  actions.forEach((a, k) => {
    startOf.set(slots.length, k);
    slots.push(...encode(a));
  });
  const read = (j: number) => (j < slots.length ? slots[j] : last ? 0 : NEXT_SELECTOR);
  const ran = new Set<number>();
  const phantoms: { action: string; values: number[] }[] = [];
  let readsNextSelector = false;
  for (let l = 0, i = 0; l < MAX_ACTIONS && i < slots.length; l++) {
    const code = slots[i];
    const values = Array.from({ length: ARGS_READ_BEFORE_511[code] ?? 0 }, (_, j) => read(i + 1 + j));
    const declared = startOf.get(i);
    if (declared !== undefined) {
      ran.add(declared);
    } else if (code !== 0 || values.some((v) => v !== 0)) {
      phantoms.push({ action: NAMES[code] ?? `code ${code}`, values });
      readsNextSelector ||= values.some((v) => Number.isNaN(v));
    }
    i += 1 + values.length;
  }
  const inert = (k: number) => encode(actions[k]).every((v) => v === 0);
  const skipped = actions.map((_, k) => k).filter((k) => !ran.has(k) && !inert(k));
  return readsNextSelector || skipped.length > 0 || phantoms.length > 0 ? { readsNextSelector, skipped, phantoms } : undefined;
}

/**
 * `[major, minor]` of a kernel table: its release (`features.release`, from the kernel config), else, for a table
 * made without the config, `linux X.Y` in its description or a name ending in `-X.Y`.
 */
export function kernelRelease(table: KernelTable): [number, number] | undefined {
  const m =
    /^(\d+)\.(\d+)/.exec(table.features.release ?? '') ??
    /\blinux (\d+)\.(\d+)\b/.exec(table.describe) ??
    /-(\d+)\.(\d+)$/.exec(table.name);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const before511 = ([major, minor]: [number, number]) => major < 5 || (major === 5 && minor < 11);

/**
 * Flags selectors whose actions the agent misreads on kernels before 5.11 (see the top of this file): once for each
 * such kernel of the set, or once without a kernel when `minKernel` is below 5.11.
 */
export function checkPostActionsBefore511(sink: FindingSink, hook: HookView, kernels: readonly KernelTable[], options: CheckOptions): void {
  const oldKernels: (string | undefined)[] = kernels
    .filter((k) => {
      const release = kernelRelease(k);
      return release !== undefined && before511(release);
    })
    .map((k) => k.name);
  const min = options.minKernel?.split('.').map(Number);
  if (oldKernels.length === 0 && min && min.length >= 2 && before511([min[0], min[1]])) oldKernels.push(undefined);
  if (oldKernels.length === 0) return;
  const selectors = hook.selectors;
  selectors.forEach((sel, i) => {
    for (const list of ['matchActions', 'matchReturnActions'] as const) {
      const actions = sel[list].map((a) => a.spec);
      if (actions.length > MAX_ACTIONS) continue; // refused at load (max-actions)
      const wrong = replayActionsBefore511(actions, i === selectors.length - 1);
      if (!wrong) continue;
      const what: string[] = [];
      const nonZero = (v: number) => v !== 0;
      const stacks = wrong.phantoms.filter((p) => p.action === 'post' && p.values.slice(2).some(nonZero));
      if (stacks.length > 0) {
        const from = wrong.readsNextSelector ? `the header of selectors[${i + 1}]` : 'the values of the following action';
        what.push(
          `an extra Post takes its stack-trace flags from ${from}, so the first event this selector matches crashes the agent ` +
            '(nil pointer in handleMsgGenericKprobe) unless the hook requests stack traces, and then its events carry stack traces nobody asked for',
        );
      }
      if (wrong.phantoms.some((p) => p.action === 'post' && !stacks.includes(p) && p.values.some(nonZero))) {
        what.push('an extra Post takes a rate limit from other values, which can drop events');
      }
      const others = wrong.phantoms.filter((p) => p.action !== 'post');
      if (others.length > 0) what.push(`values of other actions run as ${others.map((p) => p.action).join(', ')}`);
      if (wrong.skipped.length > 0)
        what.push(`${wrong.skipped.map((k) => `${list}[${k}] (${str(actions[k].action)})`).join(', ')} never runs`);
      for (const kernel of oldKernels) {
        const where = kernel ? `on ${kernel}` : `on kernels before 5.11 (min kernel ${options.minKernel})`;
        sink.add(
          'post-action-pre-511',
          { hook: hook.label, selector: i, field: `${hook.path}.selectors[${i}].${list}`, kernel },
          `${where} Tetragon's BPF objects read a Post action one value short: ${what.join('; ')}`,
        );
      }
    }
  });
}
