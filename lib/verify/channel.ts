/**
 * Reads what the guest wrote to its result channel (the second serial port, written by QEMU to a host file):
 * records `<token> <uptime> <kind> <fields...>` and length-prefixed sections
 * `<token> <uptime> section <name> <id> <bytes>` + bytes + `\n<token> <uptime> endsection <name> <id>`.
 * A run cut short (crash, timeout) leaves a truncated channel: what is there is returned, and a section cut
 * off is marked `truncated`.
 */

/** One record line. */
export interface ChannelRecord {
  /** Guest uptime in seconds when it was written. */
  readonly uptime: number;
  readonly kind: string;
  /** Positional words after the kind. */
  readonly args: readonly string[];
  /** `key=value` words after the kind. */
  readonly fields: Readonly<Record<string, string>>;
}

/** One file the guest sent. */
export interface ChannelSection {
  readonly name: string;
  readonly id: string;
  readonly uptime: number;
  readonly data: Buffer;
  /** The section ended before its announced length (the VM stopped while sending). */
  readonly truncated: boolean;
}

/** The parsed channel. */
export interface Channel {
  readonly records: readonly ChannelRecord[];
  readonly sections: readonly ChannelSection[];
  /** Lines that carry no token (kernel or program noise on the port), for diagnosis. */
  readonly stray: number;
}

function parseLine(words: string[]): { uptime: number; kind: string; args: string[]; fields: Record<string, string> } | undefined {
  const uptime = Number(words[1]);
  if (words.length < 3 || !Number.isFinite(uptime)) return undefined;
  const args: string[] = [];
  const fields: Record<string, string> = {};
  for (const w of words.slice(3)) {
    const eq = w.indexOf('=');
    if (eq > 0) fields[w.slice(0, eq)] = w.slice(eq + 1);
    else args.push(w);
  }
  return { uptime, kind: words[2], args, fields };
}

function lineAt(data: Buffer, pos: number): { text: string; next: number } {
  if (pos >= data.length) return { text: '', next: data.length };
  const nl = data.indexOf(0x0a, pos);
  const stop = nl < 0 ? data.length : nl;
  return { text: data.subarray(pos, stop).toString('utf8'), next: stop + 1 };
}

/** Parses the channel written with `token`. */
export function parseChannel(data: Buffer, token: string): Channel {
  const records: ChannelRecord[] = [];
  const sections: ChannelSection[] = [];
  let stray = 0;
  let pos = 0;
  while (pos < data.length) {
    let nl = data.indexOf(0x0a, pos);
    if (nl < 0) nl = data.length;
    const line = data.subarray(pos, nl).toString('utf8').replace(/\r$/, '');
    pos = nl + 1;
    if (!line.startsWith(token + ' ')) {
      if (line.trim()) stray++;
      continue;
    }
    const parsed = parseLine(line.split(/\s+/));
    if (!parsed) {
      stray++;
      continue;
    }
    if (parsed.kind === 'section' && parsed.args.length >= 3) {
      const [name, id, lengthText] = parsed.args;
      const length = Number(lengthText);
      const start = Math.min(pos, data.length);
      const end = start + (Number.isInteger(length) && length >= 0 ? length : 0);
      const closing = lineAt(data, end + 1);
      if (end < data.length && data[end] === 0x0a && closing.text.startsWith(token + ' ') && closing.text.includes(' endsection ')) {
        sections.push({ name, id, uptime: parsed.uptime, data: Buffer.from(data.subarray(start, end)), truncated: false });
        pos = closing.next;
      } else {
        // Cut off (the VM stopped while sending) or bytes lost: keep everything up to the next record.
        const next = data.indexOf(Buffer.from('\n' + token + ' '), start);
        const stop = next < 0 ? data.length : next;
        sections.push({ name, id, uptime: parsed.uptime, data: Buffer.from(data.subarray(start, stop)), truncated: true });
        pos = next < 0 ? data.length : next + 1;
      }
      continue;
    }
    if (parsed.kind === 'endsection') continue;
    records.push(parsed);
  }
  return { records, sections, stray };
}

/** The records of one kind. */
export function recordsOf(channel: Channel, kind: string): ChannelRecord[] {
  return channel.records.filter((r) => r.kind === kind);
}

/** The sections with one name, in order. */
export function sectionsOf(channel: Channel, name: string): ChannelSection[] {
  return channel.sections.filter((s) => s.name === name);
}
