import { Construct } from 'constructs';
import { cidrProblem, portProblem } from '../../policy/arg-filter';
import { ArgFilter, PortSpec } from '../../policy/arg-filter';
import { Arg } from '../../policy/argument';
import { KprobeHook } from '../../policy/kprobe-hook';
import { LabelSelector, POD_NAMESPACE_LABEL } from '../../policy/label-selector';
import { TracingPolicy } from '../../policy/tracing-policy';
import { isDnsLabel } from '../../private/patterns';
import { refuse } from '../../private/problems';
import { ConnectDetectionProps } from '../detection-props';
import { detectionPolicy, detectionSelector, enforcementActions } from './kit';

/** What one connect detection watches. */
export interface ConnectTarget {
  /** The policy's well-known name (the props may rename it). */
  readonly name: string;
  readonly description: string;
  readonly message: string;
  readonly tags: readonly string[];
  readonly addresses: readonly string[];
  readonly ports?: readonly PortSpec[];
}

/** Pods only, minus the excluded namespaces, ANDed with the caller's pod selector. */
function podScope(scope: Construct, props: ConnectDetectionProps): LabelSelector {
  const excluded = props.excludeNamespaces ?? ['kube-system'];
  for (const ns of excluded) {
    if (!isDnsLabel(ns)) refuse(scope, 'excludeNamespaces', ns, 'a Kubernetes namespace name', 'Fix the name');
  }
  const base = props.podSelector ?? {};
  return {
    ...(base.matchLabels ? { matchLabels: base.matchLabels } : {}),
    matchExpressions: [
      ...(base.matchExpressions ?? []),
      ...(excluded.length ? [{ key: POD_NAMESPACE_LABEL, operator: 'NotIn' as const, values: [...excluded] }] : []),
    ],
  };
}

/**
 * A policy on `security_socket_connect(sock, address, addrlen)` that reports (or blocks) connects from pods to
 * `target.addresses` (and ports). The sockaddr operators compare the address the caller asked for, before
 * socket load balancing rewrites it, so a Service ClusterIP is seen as such. IPv4 addresses are also matched in
 * their IPv4-mapped form (`::ffff:a.b.c.d`), which an IPv6 socket of a dual-stack client passes.
 */
export function connectPolicy(scope: Construct, props: ConnectDetectionProps, target: ConnectTarget): TracingPolicy {
  if (target.addresses.length === 0)
    refuse(scope, 'addresses', target.addresses, 'at least one address or CIDR is needed', 'Give the addresses to watch');
  for (const a of target.addresses) {
    const why = cidrProblem(a);
    if (why) refuse(scope, 'addresses', a, why, 'Write an IPv4 or IPv6 address or CIDR');
  }
  for (const p of target.ports ?? []) {
    const why = portProblem(String(p));
    if (why) refuse(scope, 'ports', p, why, 'Use e.g. 443 or "6443"');
  }
  const actions = enforcementActions(scope, props, true, '');
  const address = Arg.sockaddr(1, { label: 'address' });
  const hook = KprobeHook.function('security_socket_connect', {
    message: target.message,
    tags: target.tags,
    args: [address, Arg.int(2, { label: 'addrlen' })],
    selectors: [
      detectionSelector(
        props,
        {
          matchArgs: [
            ArgFilter.saddr(address, target.addresses),
            ...(target.ports?.length ? [ArgFilter.sport(address, target.ports)] : []),
          ],
        },
        actions,
      ),
    ],
  });
  return detectionPolicy(
    scope,
    { ...props, podSelector: podScope(scope, props) },
    { name: target.name, description: target.description, hooks: [hook] },
  );
}
