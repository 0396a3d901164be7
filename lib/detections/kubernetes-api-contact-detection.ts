import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { PortSpec } from '../policy/arg-filter';
import { TracingPolicy } from '../policy/tracing-policy';
import { refuse } from '../private/problems';
import { ConnectDetectionProps } from './detection-props';
import { connectPolicy } from './private/connect';

/** Props of a {@link KubernetesApiContactDetection}. */
export interface KubernetesApiContactDetectionProps extends ConnectDetectionProps {
  /**
   * The API server's addresses: the `kubernetes` Service ClusterIP (e.g. `10.96.0.1`) **and** its endpoints
   * (`kubectl get endpointslice -n default -l kubernetes.io/service-name=kubernetes`), because a pod can dial an
   * endpoint directly. CIDRs are accepted.
   */
  readonly apiServerAddresses: readonly string[];
  /**
   * Ports: the Service port and the endpoints' port.
   * @default KubernetesApiContactDetection.DEFAULT_PORTS
   */
  readonly ports?: readonly PortSpec[];
}

/**
 * `kubernetes-api-contact`: a pod opening a connection to the Kubernetes API server, the first step of most
 * in-cluster attacks with a stolen or mounted service-account token (Falco "Contact K8S API Server From
 * Container", MITRE T1613 / T1552.007).
 *
 * Probes `security_socket_connect` and compares the address the process asked for (`sockaddr`, before socket
 * load balancing or kube-proxy rewrites it) with the ClusterIP and endpoint addresses, and the port. Only pods are
 * watched (`podSelector`), minus `excludeNamespaces` (`kube-system` by default).
 *
 * Enforcement: Override (e.g. `EnforcementAction.override(111)`, ECONNREFUSED) makes `connect()` fail, or Sigkill.
 * Noise: high where workloads use the API by design (operators, controllers, CI runners, service meshes): scope
 * with `podSelector`, `excludeNamespaces` or `trustedBinaries`.
 * Misses: access through a proxy or another node address, an API server exposed on other addresses (a public
 * endpoint: add it), and connections of host-network pods to the node-local API server on control-plane nodes
 * unless their addresses are listed.
 */
export class KubernetesApiContactDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'kubernetes-api-contact';
  /** The `kubernetes` Service port and the usual API server port. */
  public static readonly DEFAULT_PORTS: readonly PortSpec[] = [443, 6443];
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1613', 'T1552.007'];

  constructor(scope: Construct, id: string, props: KubernetesApiContactDetectionProps) {
    super(scope, id);
    if (!props || !Array.isArray(props.apiServerAddresses) || props.apiServerAddresses.length === 0) {
      refuse(
        this,
        'apiServerAddresses',
        props?.apiServerAddresses,
        "the API server's ClusterIP and endpoint addresses are required (there is no safe default)",
        'Give e.g. ["10.96.0.1", "192.0.2.10"] from `kubectl get svc kubernetes` and its EndpointSlice',
      );
    }
    this.policies = [
      connectPolicy(this, props, {
        name: KubernetesApiContactDetection.NAME,
        description: 'Pods connecting to the Kubernetes API server',
        message: 'Pod connected to the Kubernetes API server',
        tags: ['observability.network', 'mitre.T1613', 'mitre.T1552.007'],
        addresses: props.apiServerAddresses,
        ports: props.ports ?? KubernetesApiContactDetection.DEFAULT_PORTS,
      }),
    ];
  }
}
