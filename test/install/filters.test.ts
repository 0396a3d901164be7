import {
  DEFAULT_EXPORT_DENY_LIST,
  DEFAULT_REDACTION_FILTERS,
  EventType,
  ExportFilter,
  FieldFilter,
  HOST_EXPORT_NAMESPACE,
  RedactionFilter,
} from '../../lib/install';
import { toJsRegExp } from '../../lib/install/private/re2';

/** Tetragon's redaction: every capture group of every match of every regex becomes `*****`. */
function redact(binary: string, args: string, filters: readonly RedactionFilter[]): string {
  let out = args;
  for (const f of filters) {
    const json = f.toJson() as { binary_regex?: string[]; redact: string[] };
    if (json.binary_regex && !json.binary_regex.some((re) => toJsRegExp(re).test(binary))) continue;
    for (const re of json.redact) {
      const rx = toJsRegExp(re, 'gd');
      let result = '';
      let last = 0;
      for (const m of out.matchAll(rx)) {
        for (let g = 1; g < m.length; g++) {
          const span = m.indices?.[g];
          if (!span) continue;
          result += out.slice(last, span[0]) + '*****';
          last = span[1];
        }
      }
      out = result + out.slice(last);
    }
  }
  return out;
}

/** Whether an exec event would be denied by a filter list (the keys the default list uses). */
function denied(event: { binary: string; namespace: string; parent?: string }, list: readonly ExportFilter[]): boolean {
  return list.some((f) => {
    const j = f.toJson() as any;
    if (j.health_check) return false;
    if (j.namespace && !j.namespace.includes(event.namespace)) return false;
    if (j.binary_regex && !j.binary_regex.some((re: string) => toJsRegExp(re).test(event.binary))) return false;
    if (j.parent_binary_regex && !j.parent_binary_regex.some((re: string) => toJsRegExp(re).test(event.parent ?? ''))) return false;
    return true;
  });
}

describe('default redaction filters', () => {
  test.each([
    ['/usr/bin/app', '--password hunter2 --user bob', '--password ***** --user bob'],
    ['/usr/bin/app', '--password=hunter2', '--password=*****'],
    ['/usr/bin/vault', 'login --token s.AbCdEf123', 'login --token *****'],
    ['/usr/bin/oidc', '--client-secret=abc123 --client-id=web', '--client-secret=***** --client-id=web'],
    ['/usr/bin/app', '--api-key XYZ --apikey=XYZ --db-password pw', '--api-key ***** --apikey=***** --db-password *****'],
    ['/usr/bin/psql', 'postgres://app:pa55w0rd@db.internal:5432/shop', 'postgres://app:*****@db.internal:5432/shop'],
    ['/usr/bin/mongosh', 'mongodb+srv://admin:s3cr3t@cluster0.example.net/x', 'mongodb+srv://admin:*****@cluster0.example.net/x'],
    ['/bin/sh', '-c "PGPASSWORD=s3cr3t psql -h db"', '-c "PGPASSWORD=***** psql -h db"'],
    ['/usr/bin/env', 'AWS_SECRET_ACCESS_KEY=abc/def+ghi aws s3 ls', 'AWS_SECRET_ACCESS_KEY=***** aws s3 ls'],
    [
      '/usr/bin/curl',
      '-H "Authorization: Bearer eyJhbGciOi.x.y" https://api.example.com',
      '-H "Authorization: Bearer *****" https://api.example.com',
    ],
    ['/usr/bin/curl', '-u admin:letmein https://x.example.com', '-u admin:***** https://x.example.com'],
    ['/usr/bin/git', 'clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r', 'clone https://*****@github.com/o/r'],
    ['/usr/bin/mysql', '-uroot -pS3cret -h db', '-uroot -p***** -h db'],
    ['/usr/bin/sshpass', '-p hunter2 ssh host', '-p ***** ssh host'],
  ])('%s %s', (binary, args, expected) => {
    expect(redact(binary, args, DEFAULT_REDACTION_FILTERS)).toBe(expected);
  });

  test.each([
    ['/usr/bin/kubectl', '--token-file /var/run/secrets/token get pods'],
    ['/usr/bin/app', '--password-file /run/secrets/db --secret-name db'],
    ['/usr/bin/curl', 'https://example.com/path?x=1'],
    ['/usr/bin/nc', '-p 8080 -l'],
    ['/usr/bin/ssh', '-p 2222 user@host'],
  ])('leaves harmless arguments alone: %s %s', (binary, args) => {
    expect(redact(binary, args, DEFAULT_REDACTION_FILTERS)).toBe(args);
  });
});

describe('default export deny list', () => {
  test.each([
    [{ binary: '/usr/bin/kubelet', namespace: HOST_EXPORT_NAMESPACE }, true],
    [{ binary: '/usr/bin/containerd-shim-runc-v2', namespace: HOST_EXPORT_NAMESPACE }, true],
    [{ binary: '/usr/sbin/runc', namespace: HOST_EXPORT_NAMESPACE }, true],
    [{ binary: '/usr/sbin/iptables', namespace: HOST_EXPORT_NAMESPACE, parent: '/usr/bin/kubelet' }, true],
    [{ binary: '/usr/sbin/iptables', namespace: HOST_EXPORT_NAMESPACE, parent: '/usr/bin/bash' }, false],
    [{ binary: '/tmp/kubelet', namespace: HOST_EXPORT_NAMESPACE }, false],
    [{ binary: '/usr/bin/kubelet', namespace: 'default' }, false],
    [{ binary: '/usr/sbin/sshd', namespace: HOST_EXPORT_NAMESPACE }, false],
    [{ binary: '/usr/bin/sudo', namespace: HOST_EXPORT_NAMESPACE }, false],
    [{ binary: '/usr/sbin/insmod', namespace: HOST_EXPORT_NAMESPACE }, false],
    [{ binary: '/bin/sh', namespace: 'kube-system' }, false],
  ])('%j denied: %s', (event, expected) => {
    expect(denied(event, DEFAULT_EXPORT_DENY_LIST)).toBe(expected);
  });

  test('keeps the health-check denial', () => {
    expect(DEFAULT_EXPORT_DENY_LIST[0].toJson()).toStrictEqual({ health_check: true });
  });
});

describe('ExportFilter', () => {
  test('renders snake_case keys in sorted order', () => {
    const f = ExportFilter.of({
      namespaces: ['a'],
      eventTypes: [EventType.PROCESS_EXEC],
      binaryRegex: ['^/bin/sh$'],
      inInitTree: false,
      pids: [1],
    });
    expect(JSON.stringify(f.toJson())).toBe(
      '{"binary_regex":["^/bin/sh$"],"event_set":["PROCESS_EXEC"],"in_init_tree":false,"namespace":["a"],"pid":[1]}',
    );
  });

  test('refuses filters that would match everything or that RE2 cannot compile', () => {
    expect(() => ExportFilter.of({})).toThrow(/sets no field, and an empty filter matches every event/);
    expect(() => ExportFilter.of({ namespaces: [] })).toThrow(/namespaces \(namespace\) is an empty list/);
    expect(() => ExportFilter.of({ binaryRegex: ['^(?!/usr).*'] })).toThrow(/uses lookahead/);
    expect(() => ExportFilter.of({ binaryRegex: ['(a)\\1'] })).toThrow(/backreference/);
    expect(() => ExportFilter.of({ podRegex: ['['] })).toThrow(/is not a valid regular expression/);
    expect(() => ExportFilter.of({ eventTypes: ['PROCESS_FORK' as EventType] })).toThrow(/"PROCESS_FORK" is not one of PROCESS_EXEC/);
    expect(() => ExportFilter.of({ pids: [-1] })).toThrow(/not a non-negative integer/);
  });
});

describe('FieldFilter and RedactionFilter', () => {
  test('field filters render as Tetragon reads them', () => {
    expect(
      FieldFilter.include(['process.binary', 'process.pod'], { eventTypes: [EventType.PROCESS_KPROBE], invertEventTypes: true }).toJson(),
    ).toStrictEqual({ action: 'INCLUDE', event_set: ['PROCESS_KPROBE'], fields: 'process.binary,process.pod', invert_event_set: true });
    expect(() => FieldFilter.exclude(['Process.Binary'])).toThrow(/not a dotted snake_case path/);
    expect(() => FieldFilter.exclude([])).toThrow(/fields is empty/);
  });

  test('a redaction regex needs a capture group and RE2 syntax', () => {
    expect(() => RedactionFilter.of({ redact: ['--password\\s+\\S+'] })).toThrow(/has no capture group, so it would redact nothing/);
    expect(() => RedactionFilter.of({ redact: ['(?<=--password=)(\\S+)'] })).toThrow(/lookbehind/);
    expect(() => RedactionFilter.of({ redact: [] })).toThrow(/redact is empty/);
    expect(RedactionFilter.of({ binaryRegex: ['(?:^|/)foo$'], redact: ['-p(?:\\s+|=)(\\S*)'] }).toJson()).toStrictEqual({
      binary_regex: ['(?:^|/)foo$'],
      redact: ['-p(?:\\s+|=)(\\S*)'],
    });
  });
});
