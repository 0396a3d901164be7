/**
 * The policy checker: CRD schema, Tetragon's load-time rules and kernel compatibility, for
 * TracingPolicy objects built by the constructs or written by hand.
 */
export { checkPolicy, checkManifests, isTracingPolicyManifest, policyName, summarize } from './engine';
export { YamlManifests, expandLists, looksLikeTracingPolicy, readYamlManifests } from './manifests';
export { CheckOptions, Finding } from './finding';
export { RULES, RuleInfo, Severity, rule } from './rules';
export { typeMismatch } from './kernel-rules';
