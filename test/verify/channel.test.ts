import { parseChannel, recordsOf, sectionsOf } from '../../lib/verify/channel';

const T = '@@vt-0123456789ab';

function section(name: string, id: string, body: string, uptime = '12.50'): string {
  return `${T} ${uptime} section ${name} ${id} ${Buffer.byteLength(body)}\n${body}\n${T} ${uptime} endsection ${name} ${id}\n`;
}

describe('result channel', () => {
  test('records with positional words and key=value fields, in order', () => {
    const ch = parseChannel(Buffer.from(`${T} 3.10 boot policies=2 triggers=5\n${T} 9.02 add-end 1 rc=0\n`), T);
    expect(ch.records).toStrictEqual([
      { uptime: 3.1, kind: 'boot', args: [], fields: { policies: '2', triggers: '5' } },
      { uptime: 9.02, kind: 'add-end', args: ['1'], fields: { rc: '0' } },
    ]);
  });

  test('a section holds exactly its bytes, even lines that look like records or lack a final newline', () => {
    const body = `{"a":1}\n${T} 1.00 trigger-begin 99\nlast line without newline`;
    const ch = parseChannel(Buffer.from(`${T} 1.00 boot\n${section('export', 'events.json', body)}${T} 20.00 done\n`), T);
    expect(sectionsOf(ch, 'export')).toHaveLength(1);
    expect(sectionsOf(ch, 'export')[0].data.toString()).toBe(body);
    expect(sectionsOf(ch, 'export')[0].truncated).toBe(false);
    expect(ch.records.map((r) => r.kind)).toStrictEqual(['boot', 'done']);
  });

  test('lines without the token are counted as stray, not read', () => {
    const ch = parseChannel(Buffer.from(`[   61.8] reboot: Power down\n${T} 2.00 boot\n@@vt-other 3.00 done\n`), T);
    expect(recordsOf(ch, 'boot')).toHaveLength(1);
    expect(recordsOf(ch, 'done')).toHaveLength(0);
    expect(ch.stray).toBe(2);
  });

  test('a section cut off by the end of the VM keeps what arrived and is marked truncated', () => {
    const ch = parseChannel(Buffer.from(`${T} 5.00 section agent-log 0 1000\nlevel=info msg="Starting tetragon"\npanic: runtime error`), T);
    expect(ch.sections).toHaveLength(1);
    expect(ch.sections[0]).toMatchObject({ name: 'agent-log', truncated: true });
    expect(ch.sections[0].data.toString()).toContain('panic: runtime error');
  });

  test('a section whose length is wrong is resynchronised on the next record', () => {
    const text = `${T} 5.00 section crash-log 1 3\nmore bytes than announced\n${T} 5.00 endsection crash-log 1\n${T} 6.00 give-up reason=max-restarts\n`;
    const ch = parseChannel(Buffer.from(text), T);
    expect(ch.sections[0]).toMatchObject({ name: 'crash-log', id: '1', truncated: true });
    expect(ch.sections[0].data.toString()).toBe('more bytes than announced');
    expect(recordsOf(ch, 'give-up')[0].fields).toStrictEqual({ reason: 'max-restarts' });
  });

  test('an empty section is complete', () => {
    const ch = parseChannel(Buffer.from(section('output', 'trigger-3', '')), T);
    expect(ch.sections[0]).toMatchObject({ name: 'output', id: 'trigger-3', truncated: false });
    expect(ch.sections[0].data.length).toBe(0);
  });
});
