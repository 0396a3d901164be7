import { Duration } from 'cdk8s';
import { Marker } from '../private/marker';
import { EventSeverity } from './siem-fields';

/**
 * A key of a Kubernetes Secret in the log shipper's namespace: the only way a sink receives a credential. The
 * generated configuration names the Secret and the key; the value never passes through this library.
 */
export interface SecretKeyRef {
  /** Name of the Secret (in the namespace of the log shipping, `logging` by default). */
  readonly name: string;
  /** Key in the Secret's `data`. */
  readonly key: string;
}

/** TLS towards a sink. Certificates and keys come from Secrets, mounted into Alloy's pods as files. */
export interface SiemTls {
  /**
   * CA bundle (PEM) that signs the server's certificate.
   * @default - the system's CAs
   */
  readonly ca?: SecretKeyRef;
  /**
   * Client certificate (PEM) for mutual TLS; set `clientKey` with it.
   * @default - no client certificate
   */
  readonly clientCertificate?: SecretKeyRef;
  /**
   * Client key (PEM) for mutual TLS; set `clientCertificate` with it.
   * @default - no client key
   */
  readonly clientKey?: SecretKeyRef;
  /**
   * Name to verify the server's certificate against.
   * @default - the endpoint's host
   */
  readonly serverName?: string;
}

const SIEM_AUTH = new Marker('SiemAuth');
const SIEM_SINK = new Marker('SiemSink');

/** How an OTLP sink authenticates. */
export class SiemAuth {
  /** Whether `x` is a SiemAuth (also across copies of the package). */
  public static isSiemAuth(x: unknown): x is SiemAuth {
    return SIEM_AUTH.has(x);
  }

  /**
   * `Authorization: <scheme> <token>`: Elastic API keys (`scheme: 'ApiKey'`), most OTLP gateways (`Bearer`).
   * @param token the token's Secret key
   * @param scheme the scheme word before the token
   */
  public static bearer(token: SecretKeyRef, scheme: string = 'Bearer'): SiemAuth {
    return new SiemAuth('bearer', { token, scheme });
  }

  /**
   * HTTP basic authentication (Grafana Cloud OTLP: instance id and an access policy token).
   * @param username the user name (not a secret)
   * @param password the password's Secret key
   */
  public static basic(username: string, password: SecretKeyRef): SiemAuth {
    return new SiemAuth('basic', { username, password });
  }

  /**
   * A header whose value is a secret: `DD-API-KEY` (Datadog), `X-SF-Token` (Splunk Observability), ...
   * @param name the header name
   * @param value the value's Secret key
   */
  public static header(name: string, value: SecretKeyRef): SiemAuth {
    return new SiemAuth('header', { header: name, value });
  }

  private constructor(
    /** Which mechanism. */
    public readonly kind: 'bearer' | 'basic' | 'header',
    /** Its settings. */
    public readonly settings: {
      readonly token?: SecretKeyRef;
      readonly scheme?: string;
      readonly username?: string;
      readonly password?: SecretKeyRef;
      readonly header?: string;
      readonly value?: SecretKeyRef;
    },
  ) {
    SIEM_AUTH.mark(this);
  }
}

/** Tetragon event kinds, as the top-level key of an exported event names them. */
export enum TetragonEventType {
  /** A process started (execve). */
  PROCESS_EXEC = 'process_exec',
  /** A process exited. */
  PROCESS_EXIT = 'process_exit',
  /** A kprobe hook of a policy matched. */
  PROCESS_KPROBE = 'process_kprobe',
  /** A tracepoint hook of a policy matched. */
  PROCESS_TRACEPOINT = 'process_tracepoint',
  /** An LSM hook of a policy matched. */
  PROCESS_LSM = 'process_lsm',
  /** A uprobe hook of a policy matched. */
  PROCESS_UPROBE = 'process_uprobe',
  /** A USDT hook of a policy matched. */
  PROCESS_USDT = 'process_usdt',
  /** A shared library was loaded (loader sensor). */
  PROCESS_LOADER = 'process_loader',
  /** Tetragon throttled a cgroup's events. */
  PROCESS_THROTTLE = 'process_throttle',
  /** Events were dropped by the export rate limit. */
  RATE_LIMIT_INFO = 'rate_limit_info',
}

/** Which events a sink receives. Every set criterion must hold; within one criterion any listed value matches. */
export interface SiemFilter {
  /**
   * Only these event kinds.
   * @default - every kind
   */
  readonly eventTypes?: readonly TetragonEventType[];
  /**
   * Only events of these TracingPolicies (which leaves out exec and exit events, which no policy produces).
   * @default - events of any policy and of none
   */
  readonly policies?: readonly string[];
  /**
   * Only processes in these namespaces; `host` selects processes outside pods.
   * @default - every namespace and the host
   */
  readonly namespaces?: readonly string[];
  /**
   * Only events at or above this severity.
   * @default - every severity
   */
  readonly minSeverity?: EventSeverity;
  /**
   * Only events of hooks carrying at least one of these tags, e.g. `mitre.T1611` or `observability.filesystem`.
   * @default - tagged and untagged events
   */
  readonly tags?: readonly string[];
}

/** How a sink groups events into requests. */
export interface SiemBatching {
  /**
   * A request is sent once this many events wait.
   * @default 1000
   */
  readonly minEvents?: number;
  /**
   * Upper bound of events per request (larger batches are split).
   * @default 5000
   */
  readonly maxEvents?: number;
  /**
   * A request is sent at the latest this long after its first event, however few events wait.
   * @default Duration.seconds(5)
   */
  readonly flushInterval?: Duration;
}

/** How a sink retries a failed request before it drops the batch. */
export interface SiemRetry {
  /**
   * First wait before a retry.
   * @default Duration.seconds(5)
   */
  readonly initialInterval?: Duration;
  /**
   * Longest wait between retries (waits grow by 1.5 each time).
   * @default Duration.seconds(30)
   */
  readonly maxInterval?: Duration;
  /**
   * A batch that still fails this long after its first attempt is dropped.
   * @default Duration.minutes(10)
   */
  readonly maxElapsedTime?: Duration;
}

/** Where a sink keeps events it has not delivered yet. */
export interface SiemBuffer {
  /**
   * Events held while the sink is slow or unreachable; when full, new events for this sink are dropped (other
   * sinks and Loki are not held up). About 1-2 KiB of memory each.
   * @default 20000
   */
  readonly maxEvents?: number;
  /**
   * Keep the buffer on the node's disk (a hostPath directory), so it survives a restart of Alloy.
   * @default false - in memory
   */
  readonly persistent?: boolean;
}

/** Settings every sink has. */
export interface SiemSinkBaseProps {
  /**
   * Names the sink's components in the Alloy configuration (`siem_<name>`): lower-case letters, digits and `_`,
   * starting with a letter, at most 40 characters.
   */
  readonly name: string;
  /**
   * Which events the sink receives.
   * @default - every event
   */
  readonly filter?: SiemFilter;
  /**
   * Batching.
   * @default - 1000 to 5000 events per request, flushed after 5 s at the latest
   */
  readonly batching?: SiemBatching;
  /**
   * Buffer for events not yet delivered.
   * @default - 20000 events in memory
   */
  readonly buffer?: SiemBuffer;
}

/** Settings of sinks that retry failed requests with backoff. */
export interface SiemRetryingSinkProps extends SiemSinkBaseProps {
  /**
   * Retries of failed requests.
   * @default - from 5 s, growing to 30 s between attempts, for 10 minutes
   */
  readonly retry?: SiemRetry;
}

/** Props of an OTLP/gRPC sink. */
export interface OtlpGrpcSinkProps extends SiemRetryingSinkProps {
  /** `host:port` of the OTLP/gRPC receiver, e.g. `otel-collector.observability.svc:4317`. */
  readonly endpoint: string;
  /**
   * Authentication.
   * @default - none
   */
  readonly auth?: SiemAuth;
  /**
   * TLS settings.
   * @default - TLS, verified against the system's CAs
   */
  readonly tls?: SiemTls;
  /**
   * Send in plaintext (an in-cluster collector without TLS). Refused together with `auth` or `tls`.
   * @default false
   */
  readonly insecure?: boolean;
  /**
   * Headers that carry no secret (a dataset, a tenant id). Credentials go in `auth`.
   * @default - none
   */
  readonly headers?: Record<string, string>;
}

/** Encoding of OTLP over HTTP. */
export enum OtlpHttpEncoding {
  /** Protobuf (the OTLP default). */
  PROTOBUF = 'proto',
  /** JSON. */
  JSON = 'json',
}

/** Props of an OTLP/HTTP sink. */
export interface OtlpHttpSinkProps extends SiemRetryingSinkProps {
  /**
   * Base URL of the OTLP/HTTP receiver; logs go to `<endpoint>/v1/logs`. `https://` unless `insecure`.
   */
  readonly endpoint: string;
  /**
   * Authentication.
   * @default - none
   */
  readonly auth?: SiemAuth;
  /**
   * TLS settings (for `https://` endpoints).
   * @default - verified against the system's CAs
   */
  readonly tls?: SiemTls;
  /**
   * Allow an `http://` endpoint (an in-cluster collector without TLS). Refused together with `auth` or `tls`.
   * @default false
   */
  readonly insecure?: boolean;
  /**
   * Headers that carry no secret. Credentials go in `auth`.
   * @default - none
   */
  readonly headers?: Record<string, string>;
  /**
   * Payload encoding.
   * @default OtlpHttpEncoding.PROTOBUF
   */
  readonly encoding?: OtlpHttpEncoding;
}

/** Props of a Splunk HTTP Event Collector sink. */
export interface SplunkHecSinkProps extends SiemRetryingSinkProps {
  /** The HEC event endpoint, e.g. `https://splunk.example.com:8088/services/collector`. */
  readonly endpoint: string;
  /** The HEC token. */
  readonly token: SecretKeyRef;
  /**
   * Splunk index.
   * @default - the token's default index
   */
  readonly index?: string;
  /**
   * Source type; `_json` makes Splunk extract the event's fields at search time.
   * @default '_json'
   */
  readonly sourcetype?: string;
  /**
   * Source.
   * @default 'tetragon'
   */
  readonly source?: string;
  /**
   * Skip verifying the HEC server's certificate (the component has no CA setting; prefer a publicly trusted one).
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
}

/** Kafka record encodings that keep the normalized fields. */
export enum KafkaEncoding {
  /** OTLP as JSON: the event in `body.stringValue`, normalized fields in `attributes`. */
  OTLP_JSON = 'otlp_json',
  /** OTLP as protobuf. */
  OTLP_PROTOBUF = 'otlp_proto',
}

/** SASL mechanisms for Kafka. */
export enum KafkaSaslMechanism {
  /** PLAIN: the password travels as is, so TLS is required. */
  PLAIN = 'PLAIN',
  /** SCRAM-SHA-256. */
  SCRAM_SHA_256 = 'SCRAM-SHA-256',
  /** SCRAM-SHA-512. */
  SCRAM_SHA_512 = 'SCRAM-SHA-512',
}

/** When Kafka acknowledges a record. */
export enum KafkaAcks {
  /** Once the partition leader wrote it. */
  LEADER = 1,
  /** Once every in-sync replica wrote it. */
  ALL = -1,
}

/** SASL credentials for Kafka. */
export interface KafkaSasl {
  /** Mechanism. */
  readonly mechanism: KafkaSaslMechanism;
  /** User name (not a secret). */
  readonly username: string;
  /** The password's Secret key. */
  readonly password: SecretKeyRef;
}

/** Props of a Kafka sink. */
export interface KafkaSinkProps extends SiemRetryingSinkProps {
  /** Brokers, `host:port` each. */
  readonly brokers: readonly string[];
  /** Topic. */
  readonly topic: string;
  /** Kafka protocol version of the brokers, e.g. `3.7.0`. */
  readonly protocolVersion: string;
  /**
   * Record encoding.
   * @default KafkaEncoding.OTLP_JSON
   */
  readonly encoding?: KafkaEncoding;
  /**
   * SASL authentication.
   * @default - none
   */
  readonly sasl?: KafkaSasl;
  /**
   * TLS settings.
   * @default - TLS, verified against the system's CAs
   */
  readonly tls?: SiemTls;
  /**
   * Connect without TLS. Refused with `tls`, and with SASL PLAIN (its password would travel in clear).
   * @default false
   */
  readonly insecure?: boolean;
  /**
   * Acknowledgement the producer waits for.
   * @default KafkaAcks.ALL
   */
  readonly requiredAcks?: KafkaAcks;
}

/** Syslog facilities a SIEM usually routes security events by. */
export enum SyslogFacility {
  /** security/authorization (4). */
  AUTH = 4,
  /** security/authorization, private (10). */
  AUTHPRIV = 10,
  /** local use 0 (16). */
  LOCAL0 = 16,
  /** local use 1 (17). */
  LOCAL1 = 17,
  /** local use 2 (18). */
  LOCAL2 = 18,
  /** local use 3 (19). */
  LOCAL3 = 19,
  /** local use 4 (20). */
  LOCAL4 = 20,
  /** local use 5 (21). */
  LOCAL5 = 21,
  /** local use 6 (22). */
  LOCAL6 = 22,
  /** local use 7 (23). */
  LOCAL7 = 23,
}

/** Props of a syslog sink (RFC 5424 over TCP, with TLS by default as RFC 5425 describes). */
export interface SyslogSinkProps extends SiemRetryingSinkProps {
  /** Host name or address of the syslog receiver. */
  readonly host: string;
  /**
   * TCP port.
   * @default 6514 with TLS, 514 without
   */
  readonly port?: number;
  /**
   * TLS settings.
   * @default - TLS, verified against the system's CAs
   */
  readonly tls?: SiemTls;
  /**
   * Plain TCP without TLS. Refused with `tls`.
   * @default false
   */
  readonly insecure?: boolean;
  /**
   * Facility of every message; the severity part of the priority follows the event's severity.
   * @default SyslogFacility.AUTHPRIV
   */
  readonly facility?: SyslogFacility;
  /**
   * APP-NAME of every message.
   * @default 'tetragon'
   */
  readonly appName?: string;
  /**
   * Frame messages with their length (RFC 6587 octet counting, which RFC 5425 requires over TLS) instead of a
   * trailing newline.
   * @default - true with TLS, false without
   */
  readonly octetCounting?: boolean;
}

/** What an object in the bucket holds. */
export enum S3Format {
  /** OTLP JSON: the events in `body.stringValue` and their normalized fields in `attributes`. */
  OTLP_JSON = 'otlp_json',
  /** Tetragon's JSON lines only, without the normalized fields. */
  EVENTS = 'body',
}

/** Static credentials for S3, from a Secret (otherwise the AWS SDK's chain: IRSA, EKS Pod Identity, instance role). */
export interface S3Credentials {
  /** The access key id's Secret key (`AWS_ACCESS_KEY_ID`). */
  readonly accessKeyId: SecretKeyRef;
  /** The secret access key's Secret key (`AWS_SECRET_ACCESS_KEY`). */
  readonly secretAccessKey: SecretKeyRef;
}

/** Props of an S3 (or S3-compatible) sink, for retention. */
export interface S3SinkProps extends SiemSinkBaseProps {
  /** Bucket. */
  readonly bucket: string;
  /** Key prefix (folder) inside the bucket, e.g. `tetragon/prod`. */
  readonly prefix: string;
  /**
   * Region.
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * Endpoint of an S3-compatible store (MinIO, Ceph RGW, ...), `https://` unless plain HTTP is what it serves.
   * @default - AWS S3 for the region
   */
  readonly endpoint?: string;
  /**
   * Path-style requests (`<endpoint>/<bucket>/<key>`), which most S3-compatible stores need.
   * @default false
   */
  readonly forcePathStyle?: boolean;
  /**
   * Static credentials.
   * @default - the AWS SDK's default chain (IRSA, EKS Pod Identity, instance role)
   */
  readonly credentials?: S3Credentials;
  /**
   * Object format.
   * @default S3Format.OTLP_JSON
   */
  readonly format?: S3Format;
  /**
   * Gzip the objects.
   * @default true
   */
  readonly gzip?: boolean;
  /**
   * strftime layout of the time partition in the key.
   * @default 'year=%Y/month=%m/day=%d/hour=%H/minute=%M'
   */
  readonly partitionFormat?: string;
  /**
   * Attempts per upload before the batch is dropped.
   * @default 10
   */
  readonly maxUploadAttempts?: number;
}

/** The kinds of sink, with their props. */
export type SiemSinkSpec =
  | { readonly kind: 'otlp-grpc'; readonly props: OtlpGrpcSinkProps }
  | { readonly kind: 'otlp-http'; readonly props: OtlpHttpSinkProps }
  | { readonly kind: 'splunk-hec'; readonly props: SplunkHecSinkProps }
  | { readonly kind: 'kafka'; readonly props: KafkaSinkProps }
  | { readonly kind: 'syslog'; readonly props: SyslogSinkProps }
  | { readonly kind: 's3'; readonly props: S3SinkProps };

/**
 * A destination for Tetragon's events beside Loki: a SIEM, a collector or an archive. Each sink has its own
 * filter, batching, retries and buffer, and receives every event it selects with Tetragon's JSON intact plus the
 * normalized fields of {@link SIEM_FIELDS}. Credentials come only from Kubernetes Secrets, by name.
 *
 * Elasticsearch and OpenSearch have no bulk-API component in Grafana Alloy: send to Elastic's OTLP intake
 * (APM Server, the EDOT collector or Elastic's managed endpoint) and to OpenSearch's Data Prepper with an OTLP sink.
 */
export class SiemSink {
  /** Whether `x` is a SiemSink (also across copies of the package). */
  public static isSiemSink(x: unknown): x is SiemSink {
    return SIEM_SINK.has(x);
  }

  /** OTLP over gRPC: any OpenTelemetry collector, Elastic, Splunk Observability, Datadog Agent, Grafana Cloud. */
  public static otlpGrpc(props: OtlpGrpcSinkProps): SiemSink {
    return new SiemSink({ kind: 'otlp-grpc', props });
  }

  /** OTLP over HTTP: the same receivers, through proxies and load balancers that do not pass gRPC. */
  public static otlpHttp(props: OtlpHttpSinkProps): SiemSink {
    return new SiemSink({ kind: 'otlp-http', props });
  }

  /** Splunk's HTTP Event Collector. */
  public static splunkHec(props: SplunkHecSinkProps): SiemSink {
    return new SiemSink({ kind: 'splunk-hec', props });
  }

  /** A Kafka topic, for SIEMs and pipelines that consume from Kafka. */
  public static kafka(props: KafkaSinkProps): SiemSink {
    return new SiemSink({ kind: 'kafka', props });
  }

  /** Syslog, RFC 5424 over TCP with TLS: the message is Tetragon's JSON event. */
  public static syslog(props: SyslogSinkProps): SiemSink {
    return new SiemSink({ kind: 'syslog', props });
  }

  /** Objects in an S3 or S3-compatible bucket, for retention. */
  public static s3(props: S3SinkProps): SiemSink {
    return new SiemSink({ kind: 's3', props });
  }

  private constructor(
    /** The sink's kind and settings. */
    public readonly spec: SiemSinkSpec,
  ) {
    SIEM_SINK.mark(this);
  }

  /** The sink's name. */
  public get name(): string {
    return this.spec.props.name;
  }
}

/** How events get their severity, which Tetragon does not assign. */
export interface SiemSeverityProps {
  /**
   * Severity of events a policy produced (kprobe, tracepoint, LSM, uprobe, USDT).
   * @default EventSeverity.MEDIUM
   */
  readonly policyEvents?: EventSeverity;
  /**
   * Severity of events no policy produced (exec, exit, loader, ...).
   * @default EventSeverity.INFO
   */
  readonly otherEvents?: EventSeverity;
  /**
   * Severity by policy name, overriding `policyEvents`.
   * @default - none
   */
  readonly policies?: Record<string, EventSeverity>;
}
