/**
 * The shapes of Kubernetes and Prometheus names that props are checked against, each with its length limit, so that
 * every construct accepts and refuses the same names.
 */

/** RFC 1123 label: lower-case letters, digits and '-', starting and ending alphanumeric. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: DNS labels joined by '.'. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The name part of a label key, and a non-empty label value. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PROMETHEUS_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** A DNS label of at most `max` characters (63; a Helm release name 53): namespaces, most object names. */
export function isDnsLabel(value: unknown, max = 63): value is string {
  return typeof value === 'string' && value.length <= max && DNS_LABEL.test(value);
}

/** A DNS subdomain of at most 253 characters: TracingPolicy and Secret names. */
export function isDnsSubdomain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

/** A Kubernetes label key: `[prefix/]name`, the prefix a DNS subdomain, the name at most 63 characters. */
export function isLabelKey(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const slash = value.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : value.slice(0, slash);
  const name = value.slice(slash + 1);
  return (prefix === undefined || isDnsSubdomain(prefix)) && name.length <= 63 && LABEL_NAME.test(name);
}

/** A Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric. */
export function isLabelValue(value: unknown): value is string {
  return typeof value === 'string' && (value === '' || (value.length <= 63 && LABEL_NAME.test(value)));
}

/** A Prometheus (and Loki) label name that is not reserved (`__` prefix). */
export function isPrometheusLabelName(value: unknown): value is string {
  return typeof value === 'string' && PROMETHEUS_LABEL_NAME.test(value) && !value.startsWith('__');
}

/** A Go duration as Flux and Prometheus read it, such as `30s`, `1m` or `1h30m`. */
export function isDuration(value: unknown): value is string {
  return typeof value === 'string' && DURATION.test(value);
}
