import { Duration } from 'cdk8s';
import { LIMITS } from '../../model/limits';
import { Problems, show } from '../../private/problems';
import { Arg } from '../argument';
import { HookBaseProps } from '../hook-base-props';

/** Validation shared by every hook kind. */
export function validateHookBase(
  field: string,
  props: HookBaseProps,
  problems: Problems,
  returnArg: Arg | undefined,
  defaultRateLimit: Duration | undefined,
  maxArgIndex: number = LIMITS.maxArgIndex,
): void {
  const message = props.message ?? '';
  if (message.length < LIMITS.messageLength.min || message.length > LIMITS.messageLength.max) {
    problems.add(
      `${field}.message`,
      `got ${message.length} characters (${show(message.slice(0, 40))}); a message has ${LIMITS.messageLength.min}-${LIMITS.messageLength.max} characters`,
    );
  }
  const tags = props.tags ?? [];
  if (tags.length === 0)
    problems.add(`${field}.tags`, 'is empty; give at least one tag (e.g. observability.filesystem) so events can be grouped in Loki');
  if (tags.length > LIMITS.tagsPerHook)
    problems.add(`${field}.tags`, `${tags.length} tags given; Tetragon takes at most ${LIMITS.tagsPerHook}`);
  tags.forEach((t, i) => {
    if (t.length < LIMITS.tagLength.min || t.length > LIMITS.tagLength.max) {
      problems.add(`${field}.tags[${i}]`, `got ${show(t)}; a tag has ${LIMITS.tagLength.min}-${LIMITS.tagLength.max} characters`);
    }
  });
  if (new Set(tags).size !== tags.length) problems.add(`${field}.tags`, `has duplicates: ${show(tags)}`);
  const args = props.args ?? [];
  if (args.length > LIMITS.argsPerHook)
    problems.add(`${field}.args`, `${args.length} arguments given; Tetragon reads at most ${LIMITS.argsPerHook}`);
  const seen = new Set<number>();
  args.forEach((a, i) => {
    a._validate(`${field}.args[${i}]`, problems, maxArgIndex);
    if (seen.has(a.index)) problems.add(`${field}.args[${i}].index`, `argument ${a.index} is declared twice`);
    seen.add(a.index);
  });
  const selectors = props.selectors ?? [];
  if (selectors.length > LIMITS.selectorsPerHook) {
    problems.add(
      `${field}.selectors`,
      `${selectors.length} selectors given; Tetragon takes at most ${LIMITS.selectorsPerHook} per hook: merge values into fewer selectors or split the hook into another policy`,
    );
  }
  selectors.forEach((s, i) => s._validate(`${field}.selectors[${i}]`, problems, args, returnArg, defaultRateLimit));
}

/** Rendering shared by every hook kind (message, tags, args, selectors). */
export function renderHookBase(
  props: HookBaseProps,
  defaultRateLimit: Duration | undefined,
  neverKill?: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { message: props.message, tags: [...props.tags] };
  const args = [...(props.args ?? [])].sort((a, b) => a.index - b.index);
  if (args.length) out.args = args.map((a) => a._render());
  if (props.selectors?.length) out.selectors = props.selectors.map((s) => s._render(defaultRateLimit, neverKill, args)).map(padPost);
  return out;
}

/**
 * On kernels before 5.11 Tetragon's BPF objects read a Post action one value short and run the unread value as
 * one more Post whose stack-trace flags come from what follows; after a selector's lone Post that is the next
 * selector's header, and the agent crashes on the first match. Two plain Posts after it keep that read inside
 * zeros; on newer kernels they do nothing (no rate limit, no flags). The last selector is followed by zeros.
 */
function padPost(selector: Record<string, unknown>, index: number, all: readonly Record<string, unknown>[]): Record<string, unknown> {
  const actions = selector.matchActions as Record<string, unknown>[] | undefined;
  if (index === all.length - 1 || actions?.length !== 1 || actions[0].action !== 'Post') return selector;
  return { ...selector, matchActions: [...actions, { action: 'Post' }, { action: 'Post' }] };
}
