/**
 * Renders SIEM sinks as Grafana Alloy components: one shared `loki.process "siem"` that adds the normalized fields
 * (as labels, which `otelcol.receiver.loki` turns into log record attributes) and the severity, then for each sink an
 * optional filter stage, the OTLP bridge, an attributes processor and the exporter. Validates every sink setting and
 * collects what the Helm values must add (mounted Secrets, environment, stability level).
 */
import { posix } from 'node:path';
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { isDnsLabel, isDnsSubdomain } from '../../private/patterns';
import { invalid } from '../../private/problems';
import { EventSeverity, MITRE_TAG_PREFIX, SEVERITY_ORDER, severityId, SIEM_FIELDS } from '../siem-fields';
import {
  KafkaAcks,
  KafkaEncoding,
  KafkaSaslMechanism,
  KafkaSinkProps,
  OtlpGrpcSinkProps,
  OtlpHttpEncoding,
  OtlpHttpSinkProps,
  S3Credentials,
  S3Format,
  S3SinkProps,
  SecretKeyRef,
  SiemAuth,
  SiemBatching,
  SiemBuffer,
  SiemFilter,
  SiemRetry,
  SiemSeverityProps,
  SiemSink,
  SiemSinkSpec,
  SiemTls,
  SplunkHecSinkProps,
  SyslogFacility,
  SyslogSinkProps,
  TetragonEventType,
} from '../siem-sink';
import { AlloyRef, AlloyStatement, AlloyValue, attr, block, quote } from './alloy-syntax';

/** Label of the shared normalization stage. */
export const SIEM_NORMALIZE_LABEL = 'siem';
/** Where Secrets holding TLS material are mounted in Alloy's pods. */
export const SIEM_SECRET_MOUNT_ROOT = '/etc/alloy/siem-secrets';
/** Node directory of persistent sink buffers (a hostPath, so a restarted pod finds them). */
export const SIEM_QUEUE_DIRECTORY = '/var/lib/alloy-tetragon-siem';
/** Volume name of the persistent buffer directory. */
export const SIEM_QUEUE_VOLUME = 'tetragon-siem-queue';

/** What the SIEM part adds to the Alloy configuration and to the Helm values. */
export interface RenderedSiem {
  /** Components, in order. */
  readonly statements: AlloyStatement[];
  /** Receiver the file source forwards to. */
  readonly receiver: AlloyRef;
  /** Extra volumes of Alloy's pods. */
  readonly volumes: Record<string, unknown>[];
  /** Extra mounts of the Alloy container. */
  readonly mounts: Record<string, unknown>[];
  /** Extra environment of the Alloy container. */
  readonly env: Record<string, unknown>[];
}

/** Inputs of {@link renderSiem}. */
export interface SiemInputs {
  readonly sinks: readonly SiemSink[];
  readonly severity?: SiemSeverityProps;
  /** Namespace of the log shipping, where the sinks' Secrets live. */
  readonly namespace: string;
}

const SINK_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*)$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Header names that carry credentials: those go through SiemAuth so their values stay in Secrets. */
const CREDENTIAL_HEADER = /authorization|token|key|secret|password|passwd|cookie|credential|signature/i;

/** Renders the SIEM components, or nothing when there are no sinks. */
export function renderSiem(scope: Construct, inputs: SiemInputs): RenderedSiem | undefined {
  if (inputs.sinks.length === 0) return undefined;
  const ctx = new RenderContext(scope, inputs.namespace);
  const names = new Set<string>();
  inputs.sinks.forEach((sink, i) => {
    const field = `siemSinks[${i}]`;
    if (!SiemSink.isSiemSink(sink)) {
      invalid(
        scope,
        field,
        sink,
        'a SiemSink',
        'Create sinks with SiemSink.otlpGrpc(), otlpHttp(), splunkHec(), kafka(), syslog() or s3().',
      );
    }
    const name = sink.name;
    if (typeof name !== 'string' || !SINK_NAME.test(name)) {
      invalid(
        scope,
        `${field}.name`,
        name,
        'lower-case letters, digits and "_", starting with a letter, at most 40 characters',
        "Name the sink after its destination, e.g. 'splunk' or 'archive_s3'.",
      );
    }
    if (names.has(name)) invalid(scope, `${field}.name`, name, 'a name no other sink has', 'Give each sink its own name.');
    names.add(name);
  });
  const severity = resolveSeverity(scope, inputs.severity);

  const sinkEntries = inputs.sinks.map((sink, i) => ctx.sink(sink.spec, `siemSinks[${i}](${sink.name})`));
  const normalize = block('loki.process', SIEM_NORMALIZE_LABEL, [
    attr(
      'forward_to',
      sinkEntries.map((s) => s.entry),
    ),
    ...normalizationStages(severity),
  ]);
  return {
    statements: [...ctx.secretComponents(), ...ctx.storageComponents(), normalize, ...sinkEntries.flatMap((s) => s.statements)],
    receiver: new AlloyRef(`loki.process.${SIEM_NORMALIZE_LABEL}.receiver`),
    volumes: ctx.volumes(),
    mounts: ctx.mounts(),
    env: ctx.env,
  };
}

interface ResolvedSeverity {
  readonly policyEvents: EventSeverity;
  readonly otherEvents: EventSeverity;
  readonly policies: ReadonlyMap<string, EventSeverity>;
}

function resolveSeverity(scope: Construct, props: SiemSeverityProps = {}): ResolvedSeverity {
  const check = (field: string, value: unknown): EventSeverity => {
    if (!SEVERITY_ORDER.includes(value as EventSeverity)) {
      invalid(scope, field, value, `one of ${SEVERITY_ORDER.join(', ')}`, 'Use the EventSeverity enum.');
    }
    return value as EventSeverity;
  };
  const policies = new Map<string, EventSeverity>();
  for (const [policy, sev] of Object.entries(props.policies ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!isDnsSubdomain(policy))
      invalid(scope, 'siemSeverity.policies key', policy, 'a TracingPolicy name', "Use the policy's metadata.name.");
    policies.set(policy, check(`siemSeverity.policies.${policy}`, sev));
  }
  return {
    policyEvents: check('siemSeverity.policyEvents', props.policyEvents ?? EventSeverity.MEDIUM),
    otherEvents: check('siemSeverity.otherEvents', props.otherEvents ?? EventSeverity.INFO),
    policies,
  };
}

/** Names of the normalized fields the pipeline extracts with JMESPath and sets as labels. */
export function extractedSiemFields(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of SIEM_FIELDS) if (f.expression !== undefined) out[f.name] = f.expression;
  return out;
}

function normalizationStages(severity: ResolvedSeverity): AlloyStatement[] {
  const fields = extractedSiemFields();
  const labelStage: Record<string, AlloyValue> = Object.fromEntries(Object.keys(fields).map((n) => [n, '']));
  const severityLabels = (s: EventSeverity) =>
    block('stage.static_labels', undefined, [attr('values', { severity: s, severity_id: String(severityId(s)) })]);
  const byPolicy = new Map<EventSeverity, string[]>();
  for (const [policy, sev] of severity.policies) byPolicy.set(sev, [...(byPolicy.get(sev) ?? []), policy]);
  return [
    block('stage.json', undefined, [attr('expressions', { ...fields, time: 'time' })]),
    block('stage.replace', undefined, [
      attr('source', 'mitre_technique'),
      attr('expression', `(${regexEscape(MITRE_TAG_PREFIX)})`),
      attr('replace', ''),
    ]),
    block('stage.labels', undefined, [attr('values', labelStage)]),
    block('stage.timestamp', undefined, [attr('source', 'time'), attr('format', 'RFC3339Nano')]),
    // The file source's path label and the Loki job label mean nothing to a SIEM.
    block('stage.label_drop', undefined, [attr('values', ['filename', 'job'])]),
    severityLabels(severity.otherEvents),
    block('stage.match', undefined, [attr('selector', selector('policy', '=~', '.+')), severityLabels(severity.policyEvents)]),
    ...SEVERITY_ORDER.filter((s) => byPolicy.has(s)).map((s) =>
      block('stage.match', undefined, [
        attr('selector', selector('policy', '=~', byPolicy.get(s)!.map(regexEscape).join('|'))),
        severityLabels(s),
      ]),
    ),
  ];
}

/** A LogQL stream selector with one matcher; the value is a Go-quoted string as Alloy's LogQL parser reads it. */
export function selector(label: string, op: '=' | '!=' | '=~' | '!~', value: string): string {
  return `{${label}${op}${quote(value)}}`;
}

/** Escapes RE2 metacharacters. */
export function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A Go duration string (`10m`, `5s`, `250ms`). */
function goDuration(d: Duration): string {
  const ms = d.toMilliseconds();
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

interface SinkRender {
  readonly entry: AlloyRef;
  readonly statements: AlloyStatement[];
}

/** Per-render state: Secrets referenced, mounts, environment. */
class RenderContext {
  public readonly env: Record<string, unknown>[] = [];
  private readonly remoteSecrets = new Map<string, string>();
  private readonly mountedSecrets = new Set<string>();
  private persistent = false;
  private s3Credentials?: { readonly where: string; readonly creds: string };

  public constructor(
    private readonly scope: Construct,
    private readonly namespace: string,
  ) {}

  public sink(spec: SiemSinkSpec, where: string): SinkRender {
    const label = `siem_${spec.props.name}`;
    const filters = this.filterStages(spec.props.filter, `${where}.filter`, label);
    const extraStages: AlloyStatement[] = [];
    const extraActions: AlloyStatement[] = [];
    let exporter: AlloyStatement[];
    switch (spec.kind) {
      case 'otlp-grpc':
        exporter = this.otlpGrpc(spec.props, where, label);
        break;
      case 'otlp-http':
        exporter = this.otlpHttp(spec.props, where, label);
        break;
      case 'splunk-hec':
        exporter = this.splunk(spec.props, where, label);
        break;
      case 'kafka':
        exporter = this.kafka(spec.props, where, label);
        break;
      case 'syslog': {
        exporter = this.syslog(spec.props, where, label);
        const facility = spec.props.facility ?? SyslogFacility.AUTHPRIV;
        if (!Object.values(SyslogFacility).includes(facility)) {
          invalid(this.scope, `${where}.facility`, facility, 'a SyslogFacility', 'Use the SyslogFacility enum.');
        }
        const appName = spec.props.appName ?? 'tetragon';
        if (!/^[!-~]{1,48}$/.test(appName)) {
          invalid(
            this.scope,
            `${where}.appName`,
            appName,
            'at most 48 printable ASCII characters without spaces (RFC 5424 APP-NAME)',
            "Use e.g. 'tetragon'.",
          );
        }
        // RFC 5424 severities: 2 critical, 3 error, 4 warning, 5 notice, 6 informational.
        const syslogSeverity: Record<EventSeverity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };
        extraStages.push(
          // The syslog exporter writes the `message` attribute, not the body: carry the event line there intact.
          block('stage.regex', undefined, [attr('expression', '^(?P<message>.*)$'), attr('labels_from_groups', true)]),
          ...SEVERITY_ORDER.map((s) =>
            block('stage.match', undefined, [
              attr('selector', selector('severity', '=', s)),
              block('stage.static_labels', undefined, [attr('values', { priority: String(facility * 8 + syslogSeverity[s]) })]),
            ]),
          ),
        );
        extraActions.push(
          block('action', undefined, [attr('key', 'hostname'), attr('action', 'insert'), attr('from_attribute', 'node')]),
          block('action', undefined, [attr('key', 'msg_id'), attr('action', 'insert'), attr('from_attribute', 'event_type')]),
          block('action', undefined, [attr('key', 'appname'), attr('action', 'insert'), attr('value', appName)]),
        );
        break;
      }
      case 's3':
        exporter = this.s3(spec.props, where, label);
        break;
      default:
        invalid(this.scope, where, (spec as { kind: string }).kind, 'a known sink kind', 'Create sinks with the SiemSink factories.');
    }
    const exporterRef = new AlloyRef(
      `${(exporter.find((s) => s.kind === 'block' && s.name.startsWith('otelcol.exporter.')) as { name: string }).name}.${label}.input`,
    );
    const receiver = new AlloyRef(`otelcol.receiver.loki.${label}.receiver`);
    const statements: AlloyStatement[] = [];
    const stages = [...filters, ...extraStages];
    if (stages.length) statements.push(block('loki.process', label, [attr('forward_to', [receiver]), ...stages]));
    statements.push(
      block('otelcol.receiver.loki', label, [
        block('output', undefined, [attr('logs', [new AlloyRef(`otelcol.processor.attributes.${label}.input`)])]),
      ]),
      block('otelcol.processor.attributes', label, [
        // otelcol.receiver.loki lists the labels it converted in this attribute, which only a way back to Loki uses.
        block('action', undefined, [attr('key', 'loki.attribute.labels'), attr('action', 'delete')]),
        block('action', undefined, [attr('key', 'severity_id'), attr('action', 'convert'), attr('converted_type', 'int')]),
        ...extraActions,
        block('output', undefined, [attr('logs', [exporterRef])]),
      ]),
      ...exporter,
    );
    return { entry: stages.length ? new AlloyRef(`loki.process.${label}.receiver`) : receiver, statements };
  }

  // --- filters ---

  private filterStages(filter: SiemFilter | undefined, where: string, label: string): AlloyStatement[] {
    if (filter === undefined) return [];
    const out: AlloyStatement[] = [];
    const drop = (lbl: string, regex: string) =>
      block('stage.match', undefined, [
        attr('selector', selector(lbl, '!~', regex)),
        attr('action', 'drop'),
        attr('drop_counter_reason', label),
      ]);
    const list = <T>(field: string, values: readonly T[] | undefined, check: (v: T, f: string) => void): readonly T[] | undefined => {
      if (values === undefined) return undefined;
      if (!Array.isArray(values) || values.length === 0) {
        invalid(
          this.scope,
          `${where}.${field}`,
          values,
          'a non-empty list',
          `Leave ${field} out to keep every value; an empty list would select nothing.`,
        );
      }
      values.forEach((v, i) => check(v, `${where}.${field}[${i}]`));
      return values;
    };
    const types = list('eventTypes', filter.eventTypes, (v, f) => {
      if (!Object.values(TetragonEventType).includes(v))
        invalid(this.scope, f, v, 'a TetragonEventType', 'Use the TetragonEventType enum, e.g. TetragonEventType.PROCESS_KPROBE.');
    });
    if (types) out.push(drop('event_type', types.map(regexEscape).join('|')));
    const policies = list('policies', filter.policies, (v, f) => {
      if (!isDnsSubdomain(v)) invalid(this.scope, f, v, 'a TracingPolicy name', "Use the policy's metadata.name.");
    });
    if (policies) out.push(drop('policy', policies.map(regexEscape).join('|')));
    const namespaces = list('namespaces', filter.namespaces, (v, f) => {
      if (!isDnsLabel(v)) invalid(this.scope, f, v, "a namespace name, or 'host' for processes outside pods", 'Fix the namespace name.');
    });
    if (namespaces) {
      // Processes outside pods have no namespace field: 'host' admits the empty value.
      out.push(drop('namespace', namespaces.map((n) => (n === 'host' ? '' : regexEscape(n))).join('|')));
    }
    if (filter.minSeverity !== undefined) {
      if (!SEVERITY_ORDER.includes(filter.minSeverity)) {
        invalid(
          this.scope,
          `${where}.minSeverity`,
          filter.minSeverity,
          `one of ${SEVERITY_ORDER.join(', ')}`,
          'Use the EventSeverity enum.',
        );
      }
      out.push(drop('severity', SEVERITY_ORDER.slice(SEVERITY_ORDER.indexOf(filter.minSeverity)).join('|')));
    }
    const tags = list('tags', filter.tags, (v, f) => {
      if (typeof v !== 'string' || !/^[^\s,]{1,128}$/.test(v))
        invalid(this.scope, f, v, 'a tag without spaces or commas', "Use the tag as the hook declares it, e.g. 'mitre.T1611'.");
    });
    if (tags) out.push(drop('tags', `(.*,)?(${tags.map(regexEscape).join('|')})(,.*)?`));
    return out;
  }

  // --- exporters ---

  private otlpGrpc(p: OtlpGrpcSinkProps, where: string, label: string): AlloyStatement[] {
    const endpoint = this.hostPort(`${where}.endpoint`, p.endpoint);
    const auth = this.auth(p.auth, `${where}.auth`, label);
    this.insecureConflicts(where, p.insecure, p.tls, p.auth);
    const client: AlloyStatement[] = [attr('endpoint', endpoint)];
    if (auth) client.push(attr('auth', auth.ref));
    const headers = this.headers(`${where}.headers`, p.headers);
    if (headers) client.push(attr('headers', headers));
    client.push(this.tls(p.insecure ? 'insecure' : (p.tls ?? {}), `${where}.tls`));
    return [
      ...(auth?.statements ?? []),
      block('otelcol.exporter.otlp', label, [block('client', undefined, client), ...this.delivery(p, where)]),
    ];
  }

  private otlpHttp(p: OtlpHttpSinkProps, where: string, label: string): AlloyStatement[] {
    const url = this.url(`${where}.endpoint`, p.endpoint, p.insecure === true);
    this.insecureConflicts(where, p.insecure, p.tls, p.auth);
    const auth = this.auth(p.auth, `${where}.auth`, label);
    const encoding = p.encoding ?? OtlpHttpEncoding.PROTOBUF;
    if (!Object.values(OtlpHttpEncoding).includes(encoding))
      invalid(this.scope, `${where}.encoding`, encoding, 'an OtlpHttpEncoding', 'Use OtlpHttpEncoding.PROTOBUF or JSON.');
    const client: AlloyStatement[] = [attr('endpoint', url)];
    if (auth) client.push(attr('auth', auth.ref));
    const headers = this.headers(`${where}.headers`, p.headers);
    if (headers) client.push(attr('headers', headers));
    if (!p.insecure && p.tls) client.push(this.tls(p.tls, `${where}.tls`));
    return [
      ...(auth?.statements ?? []),
      block('otelcol.exporter.otlphttp', label, [
        attr('encoding', encoding),
        block('client', undefined, client),
        ...this.delivery(p, where),
      ]),
    ];
  }

  private splunk(p: SplunkHecSinkProps, where: string, label: string): AlloyStatement[] {
    const url = this.url(`${where}.endpoint`, p.endpoint, false);
    const splunk: AlloyStatement[] = [attr('token', this.secretValue(p.token, `${where}.token`))];
    const word = (field: string, v: string | undefined, fallback?: string) => {
      const value = v ?? fallback;
      if (value === undefined) return;
      if (typeof value !== 'string' || !/^[^\s"]{1,256}$/.test(value))
        invalid(this.scope, `${where}.${field}`, value, 'a non-empty value without spaces or quotes', `Set ${field} as Splunk shows it.`);
      splunk.push(attr(field, value));
    };
    word('index', p.index);
    word('source', p.source, 'tetragon');
    word('sourcetype', p.sourcetype, '_json');
    const client: AlloyStatement[] = [attr('endpoint', url)];
    if (p.insecureSkipVerify === true) client.push(attr('insecure_skip_verify', true));
    return [
      block('otelcol.exporter.splunkhec', label, [
        block('splunk', undefined, splunk),
        block('client', undefined, client),
        // The node becomes HEC's host field instead of "unknown".
        block('otel_attrs_to_hec_metadata', undefined, [attr('host', 'node')]),
        ...this.delivery(p, where),
      ]),
    ];
  }

  private kafka(p: KafkaSinkProps, where: string, label: string): AlloyStatement[] {
    if (!Array.isArray(p.brokers) || p.brokers.length === 0)
      invalid(
        this.scope,
        `${where}.brokers`,
        p.brokers,
        'at least one host:port',
        "List the bootstrap brokers, e.g. ['kafka-0.kafka:9093'].",
      );
    const brokers = p.brokers.map((b, i) => this.hostPort(`${where}.brokers[${i}]`, b));
    if (typeof p.topic !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(p.topic)) {
      invalid(
        this.scope,
        `${where}.topic`,
        p.topic,
        'a Kafka topic name (letters, digits, ".", "_", "-", at most 249)',
        'Use the topic your SIEM consumes.',
      );
    }
    if (typeof p.protocolVersion !== 'string' || !/^\d+\.\d+\.\d+(\.\d+)?$/.test(p.protocolVersion)) {
      invalid(
        this.scope,
        `${where}.protocolVersion`,
        p.protocolVersion,
        "a Kafka version such as '3.7.0'",
        "Set the brokers' Kafka version.",
      );
    }
    const encoding = p.encoding ?? KafkaEncoding.OTLP_JSON;
    if (!Object.values(KafkaEncoding).includes(encoding))
      invalid(this.scope, `${where}.encoding`, encoding, 'a KafkaEncoding', 'Use KafkaEncoding.OTLP_JSON or OTLP_PROTOBUF.');
    const acks = p.requiredAcks ?? KafkaAcks.ALL;
    if (acks !== KafkaAcks.ALL && acks !== KafkaAcks.LEADER)
      invalid(
        this.scope,
        `${where}.requiredAcks`,
        acks,
        'KafkaAcks.ALL or KafkaAcks.LEADER',
        'Fire-and-forget (0) loses events silently; pick one of the two.',
      );
    if (p.insecure && p.tls) invalid(this.scope, `${where}.insecure`, true, 'no insecure together with tls', 'Drop one of them.');
    const body: AlloyStatement[] = [
      attr('protocol_version', p.protocolVersion),
      attr('brokers', brokers),
      attr('client_id', 'tetragon-alloy'),
      block('logs', undefined, [attr('topic', p.topic), attr('encoding', encoding)]),
    ];
    if (p.sasl) {
      if (!Object.values(KafkaSaslMechanism).includes(p.sasl.mechanism))
        invalid(this.scope, `${where}.sasl.mechanism`, p.sasl.mechanism, 'a KafkaSaslMechanism', 'Use the KafkaSaslMechanism enum.');
      if (p.insecure && p.sasl.mechanism === KafkaSaslMechanism.PLAIN) {
        invalid(
          this.scope,
          `${where}.sasl.mechanism`,
          'PLAIN',
          'SCRAM, or TLS with PLAIN',
          'SASL PLAIN sends the password as is: enable TLS (drop insecure) or use SCRAM-SHA-512.',
        );
      }
      body.push(
        block('authentication', undefined, [
          block('sasl', undefined, [
            attr('mechanism', p.sasl.mechanism),
            attr('username', this.plainWord(`${where}.sasl.username`, p.sasl.username)),
            attr('password', this.secretValue(p.sasl.password, `${where}.sasl.password`)),
          ]),
        ]),
      );
    }
    // Without a tls block the Kafka exporter connects in plaintext, so TLS is spelled out unless refused.
    if (!p.insecure) body.push(this.tls(p.tls ?? {}, `${where}.tls`));
    body.push(block('producer', undefined, [attr('required_acks', acks)]));
    return [block('otelcol.exporter.kafka', label, [...body, ...this.delivery(p, where)])];
  }

  private syslog(p: SyslogSinkProps, where: string, label: string): AlloyStatement[] {
    if (typeof p.host !== 'string' || !HOST.test(p.host))
      invalid(this.scope, `${where}.host`, p.host, 'a host name or address', "Set the syslog receiver's host, without scheme or port.");
    if (p.insecure && p.tls) invalid(this.scope, `${where}.insecure`, true, 'no insecure together with tls', 'Drop one of them.');
    const port = p.port ?? (p.insecure ? 514 : 6514);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      invalid(this.scope, `${where}.port`, port, 'a TCP port (1-65535)', 'Use 6514 for syslog over TLS.');
    const body: AlloyStatement[] = [
      attr('endpoint', p.host),
      attr('port', port),
      attr('network', 'tcp'),
      attr('protocol', 'rfc5424'),
      attr('enable_octet_counting', p.octetCounting ?? !p.insecure),
    ];
    if (!p.insecure) body.push(this.tls(p.tls ?? {}, `${where}.tls`));
    return [block('otelcol.exporter.syslog', label, [...body, ...this.delivery(p, where)])];
  }

  private s3(p: S3SinkProps, where: string, label: string): AlloyStatement[] {
    if (typeof p.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(p.bucket)) {
      invalid(
        this.scope,
        `${where}.bucket`,
        p.bucket,
        'an S3 bucket name (3-63 lower-case letters, digits, "." and "-")',
        "Use the bucket's name, not its URL.",
      );
    }
    if (typeof p.prefix !== 'string' || !/^[A-Za-z0-9!_.*'()=-]+(\/[A-Za-z0-9!_.*'()=-]+)*$/.test(p.prefix)) {
      invalid(
        this.scope,
        `${where}.prefix`,
        p.prefix,
        'a key prefix such as \'tetragon/prod\' (no leading or trailing "/")',
        'The time partition and file name follow it.',
      );
    }
    const region = p.region ?? 'us-east-1';
    if (!/^[a-z0-9-]{2,32}$/.test(region))
      invalid(
        this.scope,
        `${where}.region`,
        region,
        "a region name such as 'eu-west-1'",
        "S3-compatible stores usually accept 'us-east-1'.",
      );
    const format = p.format ?? S3Format.OTLP_JSON;
    if (!Object.values(S3Format).includes(format))
      invalid(this.scope, `${where}.format`, format, 'an S3Format', 'Use S3Format.OTLP_JSON or EVENTS.');
    const partition = p.partitionFormat ?? 'year=%Y/month=%m/day=%d/hour=%H/minute=%M';
    if (typeof partition !== 'string' || !/^[A-Za-z0-9%=/_-]+$/.test(partition) || partition.startsWith('/') || partition.endsWith('/')) {
      invalid(
        this.scope,
        `${where}.partitionFormat`,
        partition,
        'a strftime layout of key segments',
        "E.g. 'year=%Y/month=%m/day=%d/hour=%H'.",
      );
    }
    const attempts = p.maxUploadAttempts ?? 10;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100)
      invalid(this.scope, `${where}.maxUploadAttempts`, attempts, 'a whole number from 1 to 100', 'E.g. 10.');
    const uploader: AlloyStatement[] = [
      attr('region', region),
      attr('s3_bucket', p.bucket),
      attr('s3_prefix', p.prefix),
      attr('s3_partition_format', partition),
      attr('compression', p.gzip === false ? 'none' : 'gzip'),
      attr('retry_max_attempts', attempts),
      attr('retry_max_backoff', '30s'),
    ];
    if (p.endpoint !== undefined) uploader.push(attr('endpoint', this.url(`${where}.endpoint`, p.endpoint, true)));
    if (p.forcePathStyle === true) uploader.push(attr('s3_force_path_style', true));
    if (p.credentials) this.s3Env(p.credentials, where);
    return [
      block('otelcol.exporter.awss3', label, [
        block('s3_uploader', undefined, uploader),
        block('marshaler', undefined, [attr('type', format)]),
        ...this.delivery(p, where, false),
      ]),
    ];
  }

  // --- shared pieces ---

  /** sending_queue (buffer and batching) and retry_on_failure blocks. */
  private delivery(
    p: { batching?: SiemBatching; buffer?: SiemBuffer; retry?: SiemRetry },
    where: string,
    retries = true,
  ): AlloyStatement[] {
    const b = p.batching ?? {};
    const count = (field: string, v: number | undefined, fallback: number, max: number) => {
      const n = v ?? fallback;
      if (!Number.isInteger(n) || n < 1 || n > max)
        invalid(this.scope, `${where}.${field}`, n, `a whole number from 1 to ${max}`, `Leave it out for ${fallback}.`);
      return n;
    };
    const minEvents = count('batching.minEvents', b.minEvents, 1000, 100_000);
    const maxEvents = count('batching.maxEvents', b.maxEvents, Math.max(5000, minEvents), 100_000);
    if (maxEvents < minEvents)
      invalid(
        this.scope,
        `${where}.batching.maxEvents`,
        maxEvents,
        `at least minEvents (${minEvents})`,
        'Raise maxEvents or lower minEvents.',
      );
    const flush = this.duration(`${where}.batching.flushInterval`, b.flushInterval ?? Duration.seconds(5), 100, 300_000);
    const buffer = p.buffer ?? {};
    const queue = count('buffer.maxEvents', buffer.maxEvents, Math.max(20_000, maxEvents), 10_000_000);
    if (queue < maxEvents)
      invalid(
        this.scope,
        `${where}.buffer.maxEvents`,
        queue,
        `at least batching.maxEvents (${maxEvents})`,
        'The buffer must hold at least one full batch.',
      );
    const queueBody: AlloyStatement[] = [
      attr('enabled', true),
      attr('queue_size', queue),
      attr('sizer', 'items'),
      // Waiting for space would stall the shared pipeline and with it Loki and every other sink.
      attr('block_on_overflow', false),
    ];
    if (buffer.persistent === true) {
      this.persistent = true;
      queueBody.push(attr('storage', new AlloyRef('otelcol.storage.file.siem_queue.handler')));
    }
    queueBody.push(
      block('batch', undefined, [
        attr('flush_timeout', flush),
        attr('min_size', minEvents),
        attr('max_size', maxEvents),
        attr('sizer', 'items'),
      ]),
    );
    const out: AlloyStatement[] = [block('sending_queue', undefined, queueBody)];
    if (!retries) {
      if (p.retry !== undefined)
        invalid(
          this.scope,
          `${where}.retry`,
          p.retry,
          'no retry settings on an S3 sink',
          'S3 uploads retry per request: set maxUploadAttempts.',
        );
      return out;
    }
    const r = p.retry ?? {};
    const initial = this.duration(`${where}.retry.initialInterval`, r.initialInterval ?? Duration.seconds(5), 100, 3_600_000);
    const maxInterval = this.duration(`${where}.retry.maxInterval`, r.maxInterval ?? Duration.seconds(30), 100, 3_600_000);
    const elapsed = this.duration(`${where}.retry.maxElapsedTime`, r.maxElapsedTime ?? Duration.minutes(10), 1000, 86_400_000);
    if ((r.maxInterval ?? Duration.seconds(30)).toMilliseconds() < (r.initialInterval ?? Duration.seconds(5)).toMilliseconds()) {
      invalid(
        this.scope,
        `${where}.retry.maxInterval`,
        maxInterval,
        `at least initialInterval (${initial})`,
        'Raise maxInterval or lower initialInterval.',
      );
    }
    out.push(
      block('retry_on_failure', undefined, [
        attr('enabled', true),
        attr('initial_interval', initial),
        attr('max_interval', maxInterval),
        attr('max_elapsed_time', elapsed),
      ]),
    );
    return out;
  }

  private duration(field: string, d: Duration, minMs: number, maxMs: number): string {
    const ms = d instanceof Duration ? d.toMilliseconds() : NaN;
    if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) {
      invalid(
        this.scope,
        field,
        d instanceof Duration ? `${ms} ms` : d,
        `a Duration from ${minMs} ms to ${maxMs / 1000} s`,
        'Use cdk8s Duration, e.g. Duration.seconds(5).',
      );
    }
    return goDuration(d);
  }

  private tls(tls: SiemTls | 'insecure', field: string): AlloyStatement {
    if (tls === 'insecure') return block('tls', undefined, [attr('insecure', true)]);
    const body: AlloyStatement[] = [];
    if (tls.ca) body.push(attr('ca_file', this.mountedFile(tls.ca, `${field}.ca`)));
    if ((tls.clientCertificate === undefined) !== (tls.clientKey === undefined)) {
      invalid(
        this.scope,
        `${field}.clientKey`,
        tls.clientKey ? 'set' : 'unset',
        'clientCertificate and clientKey together',
        'Mutual TLS needs both the certificate and its key.',
      );
    }
    if (tls.clientCertificate) body.push(attr('cert_file', this.mountedFile(tls.clientCertificate, `${field}.clientCertificate`)));
    if (tls.clientKey) body.push(attr('key_file', this.mountedFile(tls.clientKey, `${field}.clientKey`)));
    if (tls.serverName !== undefined) {
      if (!HOST.test(tls.serverName))
        invalid(this.scope, `${field}.serverName`, tls.serverName, 'a host name', "Use the name in the server's certificate.");
      body.push(attr('server_name', tls.serverName));
    }
    return block('tls', undefined, body);
  }

  private insecureConflicts(where: string, insecure: boolean | undefined, tls: SiemTls | undefined, auth: SiemAuth | undefined): void {
    if (!insecure) return;
    if (tls) invalid(this.scope, `${where}.insecure`, true, 'no insecure together with tls', 'Drop one of them.');
    if (auth)
      invalid(
        this.scope,
        `${where}.insecure`,
        true,
        'no credentials over a plaintext connection',
        'Enable TLS (drop insecure) to send credentials.',
      );
  }

  private auth(auth: SiemAuth | undefined, field: string, label: string): { ref: AlloyRef; statements: AlloyStatement[] } | undefined {
    if (auth === undefined) return undefined;
    if (!SiemAuth.isSiemAuth(auth)) invalid(this.scope, field, auth, 'a SiemAuth', 'Use SiemAuth.bearer(), basic() or header().');
    const s = auth.settings;
    switch (auth.kind) {
      case 'bearer': {
        const scheme = s.scheme ?? 'Bearer';
        if (!/^[A-Za-z][A-Za-z0-9-]{0,31}$/.test(scheme))
          invalid(
            this.scope,
            `${field}.scheme`,
            scheme,
            'an HTTP auth scheme word such as Bearer or ApiKey',
            'Use the scheme your endpoint documents.',
          );
        return {
          ref: new AlloyRef(`otelcol.auth.bearer.${label}.handler`),
          statements: [
            block('otelcol.auth.bearer', label, [attr('token', this.secretValue(s.token!, `${field}.token`)), attr('scheme', scheme)]),
          ],
        };
      }
      case 'basic':
        return {
          ref: new AlloyRef(`otelcol.auth.basic.${label}.handler`),
          statements: [
            block('otelcol.auth.basic', label, [
              block('client_auth', undefined, [
                attr('username', this.plainWord(`${field}.username`, s.username!)),
                attr('password', this.secretValue(s.password!, `${field}.password`)),
              ]),
            ]),
          ],
        };
      case 'header':
        if (!HEADER_NAME.test(s.header ?? '')) invalid(this.scope, `${field}.name`, s.header, 'an HTTP header name', "E.g. 'DD-API-KEY'.");
        return {
          ref: new AlloyRef(`otelcol.auth.headers.${label}.handler`),
          statements: [
            block('otelcol.auth.headers', label, [
              block('header', undefined, [attr('key', s.header!), attr('value', this.secretValue(s.value!, `${field}.value`))]),
            ]),
          ],
        };
    }
  }

  private headers(field: string, headers: Record<string, string> | undefined): Record<string, string> | undefined {
    if (headers === undefined) return undefined;
    for (const [name, value] of Object.entries(headers)) {
      if (!HEADER_NAME.test(name)) invalid(this.scope, `${field} key`, name, 'an HTTP header name', 'Fix the header name.');
      if (CREDENTIAL_HEADER.test(name)) {
        invalid(
          this.scope,
          `${field}.${name}`,
          '<hidden>',
          'no credential in a plain header (it would be written into the ConfigMap)',
          `Put it in a Secret and use auth: SiemAuth.header('${name}', { name: '<secret>', key: '<key>' }).`,
        );
      }
      if (typeof value !== 'string' || /[\r\n]/.test(value))
        invalid(this.scope, `${field}.${name}`, value, 'a single-line value', 'Fix the header value.');
    }
    return Object.keys(headers).length ? { ...headers } : undefined;
  }

  private plainWord(field: string, value: string): string {
    if (typeof value !== 'string' || value.length === 0 || value.length > 256 || /[\s]/.test(value)) {
      invalid(this.scope, field, value, 'a non-empty value without spaces', `Set ${field}.`);
    }
    return value;
  }

  private hostPort(field: string, value: string): string {
    const m = typeof value === 'string' ? /^(.*):(\d{1,5})$/.exec(value) : null;
    if (!m || !HOST.test(m[1]) || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      invalid(this.scope, field, value, 'host:port without a scheme', "E.g. 'otel-collector.observability.svc:4317'.");
    }
    return value;
  }

  private url(field: string, value: string, allowHttp: boolean): string {
    const m = typeof value === 'string' ? /^(https?):\/\/([^/?#\s]+)([^\s#]*)$/.exec(value) : null;
    if (!m) invalid(this.scope, field, value, 'an https:// URL', "E.g. 'https://siem.example.com:4318'.");
    if (m[2].includes('@')) {
      invalid(
        this.scope,
        field,
        '<URL with credentials>',
        'a URL without user or password (it would be written into the ConfigMap)',
        'Drop the user:password@ part and reference a Secret with auth.',
      );
    }
    if (m[1] === 'http' && !allowHttp) {
      invalid(
        this.scope,
        field,
        value,
        'an https:// URL',
        'Use TLS; for an in-cluster collector without TLS set insecure: true (OTLP/HTTP only).',
      );
    }
    return value;
  }

  // --- Secrets ---

  private checkRef(ref: SecretKeyRef, field: string): void {
    if (ref === null || typeof ref !== 'object' || !isDnsSubdomain(ref.name)) {
      invalid(
        this.scope,
        `${field}.name`,
        ref?.name,
        'the name of a Secret (a DNS subdomain)',
        `Create the Secret in namespace ${this.namespace} and name it here.`,
      );
    }
    if (typeof ref.key !== 'string' || !SECRET_KEY.test(ref.key) || ref.key.length > 253) {
      invalid(
        this.scope,
        `${field}.key`,
        ref.key,
        'a Secret data key (letters, digits, "-", "_", ".")',
        'Name the key inside the Secret that holds the value.',
      );
    }
  }

  /** A Secret value read by Alloy from the API server (`remote.kubernetes.secret`), never written into the config. */
  private secretValue(ref: SecretKeyRef, field: string): AlloyRef {
    this.checkRef(ref, field);
    let label = this.remoteSecrets.get(ref.name);
    if (label === undefined) {
      const base = `secret_${ref.name.replace(/[^a-z0-9]/g, '_')}`;
      const taken = new Set(this.remoteSecrets.values());
      label = base;
      for (let n = 2; taken.has(label); n++) label = `${base}_${n}`;
      this.remoteSecrets.set(ref.name, label);
    }
    return new AlloyRef(`remote.kubernetes.secret.${label}.data`, ref.key);
  }

  /** A Secret key mounted as a file into Alloy's pods (TLS material, which the exporters read from files). */
  private mountedFile(ref: SecretKeyRef, field: string): string {
    this.checkRef(ref, field);
    this.mountedSecrets.add(ref.name);
    return posix.join(SIEM_SECRET_MOUNT_ROOT, ref.name, ref.key);
  }

  private s3Env(creds: S3Credentials, where: string): void {
    this.checkRef(creds.accessKeyId, `${where}.credentials.accessKeyId`);
    this.checkRef(creds.secretAccessKey, `${where}.credentials.secretAccessKey`);
    const id = JSON.stringify([creds.accessKeyId, creds.secretAccessKey]);
    if (this.s3Credentials && this.s3Credentials.creds !== id) {
      invalid(
        this.scope,
        `${where}.credentials`,
        '<other Secret keys>',
        `the same credentials as ${this.s3Credentials.where}`,
        'Alloy reads S3 credentials from its environment, one pair per process: use one pair for every S3 sink, or IRSA / Pod Identity.',
      );
    }
    if (this.s3Credentials) return;
    this.s3Credentials = { where, creds: id };
    const env = (name: string, ref: SecretKeyRef) => ({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
    this.env.push(env('AWS_ACCESS_KEY_ID', creds.accessKeyId), env('AWS_SECRET_ACCESS_KEY', creds.secretAccessKey));
  }

  public secretComponents(): AlloyStatement[] {
    return [...this.remoteSecrets.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, label]) => block('remote.kubernetes.secret', label, [attr('namespace', this.namespace), attr('name', name)]));
  }

  public storageComponents(): AlloyStatement[] {
    return this.persistent ? [block('otelcol.storage.file', 'siem_queue', [attr('directory', SIEM_QUEUE_DIRECTORY)])] : [];
  }

  private mountedList(): string[] {
    return [...this.mountedSecrets].sort();
  }

  public volumes(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = this.mountedList().map((name, i) => ({
      name: `tetragon-siem-secret-${i}`,
      secret: { secretName: name },
    }));
    if (this.persistent) out.push({ name: SIEM_QUEUE_VOLUME, hostPath: { path: SIEM_QUEUE_DIRECTORY, type: 'DirectoryOrCreate' } });
    return out;
  }

  public mounts(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = this.mountedList().map((name, i) => ({
      name: `tetragon-siem-secret-${i}`,
      mountPath: posix.join(SIEM_SECRET_MOUNT_ROOT, name),
      readOnly: true,
    }));
    if (this.persistent) out.push({ name: SIEM_QUEUE_VOLUME, mountPath: SIEM_QUEUE_DIRECTORY });
    return out;
  }
}
