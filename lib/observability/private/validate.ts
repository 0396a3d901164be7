import { Construct } from 'constructs';
import { isDnsLabel, isLabelKey, isLabelValue, isPrometheusLabelName } from '../../private/patterns';
import { invalid } from '../../private/problems';

/** A Kubernetes namespace name. */
export function checkNamespace(scope: Construct, field: string, value: string): string {
  if (!isDnsLabel(value)) {
    invalid(
      scope,
      field,
      value,
      'a Kubernetes namespace name (lower-case letters, digits and "-", at most 63 characters)',
      `Set ${field} to an existing namespace such as 'monitoring'.`,
    );
  }
  return value;
}

/** A Kubernetes object name (DNS subdomain, kept to a DNS label here so it also fits label values). */
export function checkObjectName(scope: Construct, field: string, value: string): string {
  if (!isDnsLabel(value)) {
    invalid(
      scope,
      field,
      value,
      'a Kubernetes object name (lower-case letters, digits and "-", at most 63 characters)',
      `Choose another ${field}.`,
    );
  }
  return value;
}

/** Kubernetes object labels (keys and values). */
export function checkLabels(scope: Construct, field: string, labels: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(labels)) {
    if (!isLabelKey(key)) {
      invalid(
        scope,
        `${field} key`,
        key,
        'a Kubernetes label key ([prefix/]name, name at most 63 characters)',
        `Rename the label '${key}'.`,
      );
    }
    if (!isLabelValue(value)) {
      invalid(
        scope,
        `${field}.${key}`,
        value,
        'a Kubernetes label value (at most 63 letters, digits, "-", "_" or ".")',
        `Change the value of label '${key}'.`,
      );
    }
  }
  return labels;
}

/** A Prometheus/Loki label value used in a selector: any non-empty string without line breaks. */
export function checkSelectorValue(scope: Construct, field: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || /[\r\n]/.test(value)) {
    invalid(scope, field, value, 'a non-empty single-line string', `Set ${field} to the label value your metrics or logs carry.`);
  }
  return value;
}

/** Prometheus/Loki label names and values added to rules or streams. */
export function checkPromLabels(scope: Construct, field: string, labels: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(labels)) {
    if (!isPrometheusLabelName(key)) {
      invalid(
        scope,
        `${field} key`,
        key,
        'a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__")',
        `Rename the label '${key}'.`,
      );
    }
    checkSelectorValue(scope, `${field}.${key}`, value);
  }
  return labels;
}

/** Sorted copy of a string map, for deterministic output. */
export function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
