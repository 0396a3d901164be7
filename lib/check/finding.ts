import type { KernelTable } from '../kernels/kernel-table';
import { show } from '../private/problems';
import { Severity, rule } from './rules';

/** One problem found in a policy. */
export interface Finding {
  /** Rule id, see `RULES`. */
  readonly ruleId: string;
  readonly severity: Severity;
  /** `metadata.name` of the policy (with `namespace/` for a TracingPolicyNamespaced). */
  readonly policy: string;
  /** The hook, e.g. `kprobes[2] security_file_open`. */
  readonly hook?: string;
  /** Selector index within the hook. */
  readonly selector?: number;
  /** JSON path of the field, e.g. `spec.kprobes[2].selectors[1].matchArgs[0].operator`. */
  readonly field: string;
  /** What is wrong, naming the policy, hook, selector and field. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** The kernel table the finding is about (kernel rules only); the first of `kernels`. */
  readonly kernel?: string;
  /** Every kernel of the set the finding holds for (kernel rules only): one finding names them all. */
  readonly kernels?: readonly string[];
}

/** Options of `checkPolicy` / `checkManifests`. */
export interface CheckOptions {
  /**
   * Kernels to check hooks against: tables, bundled names or table/BTF file paths.
   * @default - every bundled kernel table (`bundledKernels()`)
   */
  readonly kernels?: ReadonlyArray<KernelTable | string>;
  /**
   * The oldest kernel the policy must load on, as `major.minor`. It sets the limit of Equal string
   * values (4096 bytes from 5.11, 510 from 5.4, 144 before).
   * @default '5.11'
   */
  readonly minKernel?: string;
  /**
   * Skip the kernel compatibility rules (the load rules and the schema still run).
   * @default false
   */
  readonly skipKernelChecks?: boolean;
}

/** Where a finding points. */
export interface Location {
  readonly hook?: string;
  readonly selector?: number;
  readonly field: string;
  readonly kernel?: string;
}

/** Collects findings for one policy. */
export class FindingSink {
  public readonly findings: Finding[] = [];
  constructor(public readonly policy: string) {}

  /** Records a finding; the fix defaults to the rule's. */
  public add(ruleId: string, at: Location, detail: string, fix?: string): void {
    const info = rule(ruleId);
    const where = [at.hook, at.field].filter(Boolean).join(' ');
    this.findings.push({
      ruleId,
      severity: info.severity,
      policy: this.policy,
      ...(at.hook !== undefined ? { hook: at.hook } : {}),
      ...(at.selector !== undefined ? { selector: at.selector } : {}),
      field: at.field,
      message: `policy '${this.policy}' ${where}: ${detail}`,
      fix: fix ?? info.fix,
      ...(at.kernel !== undefined ? { kernel: at.kernel } : {}),
    });
  }
}

/** A value in a finding, cut at 80 characters so that a long list does not swamp the line. */
export function brief(x: unknown): string {
  return show(x, 80);
}

export type { Severity };
