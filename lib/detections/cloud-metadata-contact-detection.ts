import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { TracingPolicy } from '../policy/tracing-policy';
import { ConnectDetectionProps } from './detection-props';
import { connectPolicy } from './private/connect';

/** Props of a {@link CloudMetadataContactDetection}. */
export interface CloudMetadataContactDetectionProps extends ConnectDetectionProps {
  /**
   * Metadata service addresses.
   * @default CloudMetadataContactDetection.DEFAULT_ADDRESSES
   */
  readonly addresses?: readonly string[];
}

/**
 * `cloud-metadata-contact`: a pod connecting to the cloud instance metadata service, where node credentials
 * (the instance role) live (Falco "Contact cloud metadata service from container", MITRE T1552.005).
 *
 * Probes `security_socket_connect` on the destination asked for, TCP and UDP alike, any port: AWS, Azure, GCP
 * and Oracle `169.254.169.254`, AWS IPv6 `fd00:ec2::254`, Alibaba `100.100.100.200`; each IPv4 address also in its
 * IPv4-mapped form (`::ffff:169.254.169.254`), which a dual-stack client's IPv6 socket passes to connect().
 * Only pods are watched, minus `excludeNamespaces` (`kube-system` by default: CNI, CSI and cloud agents use it).
 *
 * Enforcement: Override (e.g. `EnforcementAction.override(Errno.EACCES)`) or Sigkill; blocking with a
 * NetworkPolicy is the better long-term fix, this closes the gap until one exists.
 * Noise: cloud SDKs fall back to the metadata service for credentials and region when no workload identity is
 * configured; those pods report until they get one.
 * Misses: access through a proxy, and a metadata service reached through a hostname that resolves elsewhere.
 */
export class CloudMetadataContactDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'cloud-metadata-contact';
  /** Instance metadata service addresses of the main clouds (the filter adds the IPv4-mapped forms). */
  public static readonly DEFAULT_ADDRESSES: readonly string[] = ['169.254.169.254/32', 'fd00:ec2::254/128', '100.100.100.200/32'];
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1552.005'];

  constructor(scope: Construct, id: string, props: CloudMetadataContactDetectionProps = {}) {
    super(scope, id);
    this.policies = [
      connectPolicy(this, props, {
        name: CloudMetadataContactDetection.NAME,
        description: 'Pods connecting to the cloud instance metadata service',
        message: 'Pod connected to the cloud instance metadata service',
        tags: ['observability.network', 'mitre.T1552.005'],
        addresses: props.addresses ?? CloudMetadataContactDetection.DEFAULT_ADDRESSES,
      }),
    ];
  }
}
