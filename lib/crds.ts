/**
 * The generated CRD types (`cdk8s import` of the pinned CRDs), for the escape hatch: build or patch any
 * object the typed constructs do not model.
 *
 * @example
 * import { crds } from 'cdk8s-tetragon';
 * new crds.tetragon.TracingPolicy(chart, 'Raw', { metadata: { name: 'raw' }, spec: { ... } });
 */
export * as tetragon from '../imports/cilium.io';
export * as fluxHelm from '../imports/helm.toolkit.fluxcd.io';
export * as fluxSource from '../imports/source.toolkit.fluxcd.io';
export * as fluxKustomize from '../imports/kustomize.toolkit.fluxcd.io';
export * as prometheusOperator from '../imports/monitoring.coreos.com';
