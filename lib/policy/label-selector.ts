import { isLabelKey, isLabelValue } from '../private/patterns';
import { Problems, show } from '../private/problems';

/** A label-selector requirement. */
export interface LabelSelectorRequirement {
  /** The label key. */
  readonly key: string;
  /** How the label is compared. */
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /**
   * Values for In and NotIn (must be empty for Exists and DoesNotExist).
   * @default []
   */
  readonly values?: readonly string[];
}

/**
 * A Kubernetes label selector, for `podSelector` (pod labels, plus `k8s:io.kubernetes.pod.namespace`
 * for the namespace) and `containerSelector` (keys `name` and `repo`). An empty selector `{}`
 * selects every pod (and so leaves host processes out).
 */
export interface LabelSelector {
  /**
   * Labels that must all be equal.
   * @default {}
   */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /**
   * Requirements that must all hold.
   * @default []
   */
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** The pseudo-label Tetragon adds for the pod's namespace. */
export const POD_NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

/** Validates a label selector; `allowedKeys` restricts keys (containerSelector takes `name` and `repo`). */
export function validateLabelSelector(field: string, selector: LabelSelector, problems: Problems, allowedKeys?: readonly string[]): void {
  const checkKey = (where: string, key: string) => {
    if (allowedKeys && !allowedKeys.includes(key))
      problems.add(where, `key ${show(key)} is not supported; use ${allowedKeys.join(' or ')}`);
    else if (!allowedKeys && key !== POD_NAMESPACE_LABEL && !isLabelKey(key))
      problems.add(where, `key ${show(key)} is not a valid label key`);
  };
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    checkKey(`${field}.matchLabels`, key);
    if (!allowedKeys && !isLabelValue(value))
      problems.add(`${field}.matchLabels.${key}`, `value ${show(value)} is not a valid label value`);
  }
  (selector.matchExpressions ?? []).forEach((e, i) => {
    const where = `${field}.matchExpressions[${i}]`;
    checkKey(`${where}.key`, e.key);
    const values = e.values ?? [];
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0)
      problems.add(`${where}.values`, `${e.operator} needs at least one value`);
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0)
      problems.add(`${where}.values`, `${e.operator} takes no values`);
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator))
      problems.add(`${where}.operator`, `got ${show(e.operator)}; use In, NotIn, Exists or DoesNotExist`);
  });
}

/** Renders a label selector with sorted keys. */
export function renderLabelSelector(selector: LabelSelector): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const labels = selector.matchLabels ?? {};
  if (Object.keys(labels).length)
    out.matchLabels = Object.fromEntries(
      Object.keys(labels)
        .sort()
        .map((k) => [k, labels[k]]),
    );
  if (selector.matchExpressions?.length) {
    out.matchExpressions = selector.matchExpressions.map((e) => ({
      key: e.key,
      operator: e.operator,
      ...(e.values?.length ? { values: [...e.values] } : {}),
    }));
  }
  return out;
}
