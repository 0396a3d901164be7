/**
 * The string map slots a policy's filters take. Tetragon keeps string filters in arrays of maps with 8 slots per BPF
 * program (bpf/process/string_maps.h); a kprobe on its own is one program, all kprobes of a policy are one program
 * under kprobe_multi.
 */
import { HookView, filterTarget } from './policy-reader';
import { STRING_MAP_TYPES } from './vocabulary';

/** STRING_MAPS_OUTER_MAX_ENTRIES: the slots of each string map family in one BPF program. */
export const STRING_MAP_SLOTS = 8;

/**
 * The string map slots the hooks' filters take, by family: `postfix` (Postfix/NotPostfix), `prefix` (Prefix/NotPrefix),
 * on arguments and binaries, and `equal` (Equal/NotEqual on string-like arguments). One slot per filter entry.
 */
export function stringMapSlots(hooks: readonly HookView[]): Map<'postfix' | 'prefix' | 'equal', number> {
  const counts = new Map<'postfix' | 'prefix' | 'equal', number>([
    ['postfix', 0],
    ['prefix', 0],
    ['equal', 0],
  ]);
  const bump = (family: 'postfix' | 'prefix' | 'equal') => counts.set(family, counts.get(family)! + 1);
  const byOperator = (op?: string): 'postfix' | 'prefix' | undefined =>
    op === 'Postfix' || op === 'NotPostfix' ? 'postfix' : op === 'Prefix' || op === 'NotPrefix' ? 'prefix' : undefined;
  for (const hook of hooks) {
    for (const sel of hook.selectors) {
      for (const f of [...sel.matchBinaries, ...sel.matchParentBinaries]) {
        const family = byOperator(f.operator);
        if (family) bump(family);
      }
      for (const [filters, declared] of [
        [sel.matchArgs, hook.args],
        [sel.matchData, hook.data],
      ] as const) {
        for (const f of filters) {
          const family = byOperator(f.operator);
          if (family) {
            bump(family);
            continue;
          }
          const type = filterTarget(f, declared, { byPosition: filters === sel.matchData })?.type;
          if ((f.operator === 'Equal' || f.operator === 'NotEqual') && type && STRING_MAP_TYPES.has(type)) bump('equal');
        }
      }
    }
  }
  return counts;
}
