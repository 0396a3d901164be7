import { EventFormatError, parseEventsJsonl, parseHook, validateEvent } from '../../lib/simulate';

function errorOf(fn: () => unknown): EventFormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EventFormatError) return e;
    throw e;
  }
  throw new Error('expected an EventFormatError');
}

describe('event parsing', () => {
  test('a well-formed JSON Lines file yields events named by line, skipping blanks and comments', () => {
    const events = parseEventsJsonl(
      '# comment\n\n{"hook":"lsm:file_open","args":["/etc/shadow"],"process":{"binary":"/usr/bin/cat"}}\n',
      'ev.jsonl',
    );
    expect(events).toHaveLength(1);
    expect(events[0].name).toBe('ev.jsonl:3');
  });

  test.each([
    ['not json', 'ev.jsonl:1: (line): not valid JSON'],
    ['[1,2]', 'ev.jsonl:1: (event): expected a JSON object'],
    ['{"process":{"binary":"/x"}}', 'ev.jsonl:1: hook: required'],
    ['{"hook":"kprobe","process":{"binary":"/x"}}', "ev.jsonl:1: hook: 'kprobe' is not a hook"],
    [
      '{"hook":"tracepoint:sys_enter_openat","process":{"binary":"/x"}}',
      "ev.jsonl:1: hook: 'tracepoint:sys_enter_openat': a tracepoint is named",
    ],
    ['{"hook":"kprobe:f"}', 'ev.jsonl:1: process: required'],
    ['{"hook":"kprobe:f","proces":{}}', 'ev.jsonl:1: proces: unknown field'],
    ['{"hook":"kprobe:f","process":{"binary":"/x","uid":"0"}}', 'ev.jsonl:1: process.uid: expected a number, got "0"'],
    ['{"hook":"kprobe:f","args":[{"kind":"file"}],"process":{"binary":"/x"}}', 'ev.jsonl:1: args[0].path: expected a string path'],
    [
      '{"hook":"kprobe:f","args":[{"kind":"flie","path":"/x"}],"process":{"binary":"/x"}}',
      'ev.jsonl:1: args[0].kind: expected one of file, path',
    ],
    [
      '{"hook":"kprobe:f","args":[{"kind":"int","value":"ten"}],"process":{"binary":"/x"}}',
      'ev.jsonl:1: args[0].value: expected an integer',
    ],
    [
      '{"hook":"kprobe:f","args":[{"kind":"sock","daddr":"10.0.0.300"}],"process":{"binary":"/x"}}',
      'ev.jsonl:1: args[0].daddr: expected an IPv4 or IPv6 address',
    ],
    [
      '{"hook":"kprobe:f","args":[{"kind":"sock","dport":70000}],"process":{"binary":"/x"}}',
      'ev.jsonl:1: args[0].dport: expected a port 0-65535',
    ],
    ['{"hook":"kprobe:f","args":{"x":1},"process":{"binary":"/x"}}', 'ev.jsonl:1: args.x: argument keys are function argument indexes'],
    ['{"hook":"kprobe:f","process":{"binary":"/x","pod":{"name":"p"}}}', 'ev.jsonl:1: process.pod.namespace: required for a pod process'],
    [
      '{"hook":"kprobe:f","process":{"binary":"/x","namespaces":{"network":1}}}',
      'ev.jsonl:1: process.namespaces.network: unknown namespace',
    ],
    [
      '{"hook":"kprobe:f","process":{"binary":"/x","capabilities":{"effective":["SYS_ADMIN"]}}}',
      'ev.jsonl:1: process.capabilities.effective[0]: expected a capability name',
    ],
  ])('%s is rejected with "%s"', (line, message) => {
    const e = errorOf(() => parseEventsJsonl(`\n${line}`.slice(1), 'ev.jsonl'));
    expect(e.message.startsWith(message)).toBe(true);
  });

  test('the error carries the place and the field separately', () => {
    const e = errorOf(() => validateEvent({ hook: 'kprobe:f', process: { binary: '/x', pid: 1.5 } }, 'events.jsonl:7'));
    expect(e.where).toBe('events.jsonl:7');
    expect(e.field).toBe('process.pid');
  });

  test('parseHook splits kind and name', () => {
    expect(parseHook('tracepoint:sched/sched_process_exec')).toEqual({ kind: 'tracepoint', name: 'sched/sched_process_exec' });
    expect(parseHook('lsm:bprm_check_security')).toEqual({ kind: 'lsm', name: 'bprm_check_security' });
  });
});
