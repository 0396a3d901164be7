/**
 * A parser for the part of the Alloy configuration syntax the library emits: blocks with optional
 * string labels, attributes, strings (with Go escapes), numbers, booleans, null, lists, objects and
 * dotted references (optionally indexed by a string, `a.b.data["k"]`). Written from the syntax reference;
 * it rejects anything else.
 */
export type Value = string | number | boolean | null | Ref | Value[] | { [key: string]: Value };
/** A component reference, optionally indexed by a string key (`remote.kubernetes.secret.x.data["token"]`). */
export interface Ref {
  ref: string;
  key?: string;
}
export interface Attribute {
  kind: 'attr';
  name: string;
  value: Value;
}
export interface Block {
  kind: 'block';
  name: string;
  label?: string;
  body: Statement[];
}
export type Statement = Attribute | Block;

export function parseAlloy(src: string): Statement[] {
  let i = 0;
  const fail = (msg: string): never => {
    const line = src.slice(0, i).split('\n').length;
    throw new Error(`alloy parse error at line ${line}: ${msg} near '${src.slice(i, i + 20)}'`);
  };
  const skip = () => {
    for (;;) {
      while (i < src.length && /[ \t\r\n]/.test(src[i])) i++;
      if (src.startsWith('//', i)) {
        while (i < src.length && src[i] !== '\n') i++;
        continue;
      }
      if (src.startsWith('/*', i)) {
        const end = src.indexOf('*/', i + 2);
        if (end < 0) fail('unterminated comment');
        i = end + 2;
        continue;
      }
      return;
    }
  };
  const ident = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (!m) return fail('expected identifier');
    i += m[0].length;
    return m[0];
  };
  const dotted = (): string => {
    let name = ident();
    while (src[i] === '.') {
      i++;
      name += '.' + ident();
    }
    return name;
  };
  const str = (): string => {
    if (src[i] !== '"') fail('expected string');
    i++;
    let out = '';
    while (i < src.length && src[i] !== '"') {
      if (src[i] === '\n') fail('newline in string');
      if (src[i] === '\\') {
        const e = src[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t' };
        if (e in simple) {
          out += simple[e];
          i += 2;
          continue;
        }
        if (e === 'u') {
          out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        fail(`unknown escape \\${e}`);
      }
      out += src[i++];
    }
    if (src[i] !== '"') fail('unterminated string');
    i++;
    return out;
  };
  const value = (): Value => {
    skip();
    const c = src[i];
    if (c === '"') return str();
    if (c === '[') {
      i++;
      const list: Value[] = [];
      for (;;) {
        skip();
        if (src[i] === ']') {
          i++;
          return list;
        }
        list.push(value());
        skip();
        if (src[i] === ',') {
          i++;
          continue;
        }
        skip();
        if (src[i] !== ']') fail('expected , or ]');
      }
    }
    if (c === '{') {
      i++;
      const obj: { [k: string]: Value } = {};
      for (;;) {
        skip();
        if (src[i] === '}') {
          i++;
          return obj;
        }
        const key = src[i] === '"' ? str() : ident();
        skip();
        if (src[i] !== '=') fail('expected = in object');
        i++;
        if (key in obj) fail(`duplicate key ${key}`);
        obj[key] = value();
        skip();
        if (src[i] === ',') {
          i++;
          continue;
        }
        skip();
        if (src[i] !== '}') fail('expected , or }');
      }
    }
    const num = /^-?[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
    if (num) {
      i += num[0].length;
      return Number(num[0]);
    }
    const word = dotted();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (!word.includes('.')) fail(`bare identifier ${word}`);
    if (src[i] === '[') {
      i++;
      skip();
      const key = str();
      skip();
      if (src[i] !== ']') fail('expected ] after index');
      i++;
      return { ref: word, key };
    }
    return { ref: word };
  };
  const body = (closing: boolean): Statement[] => {
    const out: Statement[] = [];
    for (;;) {
      skip();
      if (i >= src.length) {
        if (closing) fail('missing }');
        return out;
      }
      if (src[i] === '}') {
        if (!closing) fail('unexpected }');
        i++;
        return out;
      }
      const name = dotted();
      skip();
      if (src[i] === '=') {
        if (name.includes('.')) fail('attribute names cannot be dotted');
        i++;
        const v = value();
        // Attributes end at a newline.
        while (src[i] === ' ' || src[i] === '\t') i++;
        if (i < src.length && src[i] !== '\n' && src[i] !== '}' && !src.startsWith('//', i)) fail('expected newline after attribute');
        out.push({ kind: 'attr', name, value: v });
        continue;
      }
      let label: string | undefined;
      if (src[i] === '"') {
        label = str();
        skip();
      }
      if (src[i] !== '{') fail('expected { or =');
      i++;
      out.push({ kind: 'block', name, label, body: body(true) });
    }
  };
  return body(false);
}

/** Finds blocks by name (and label) at any depth. */
export function findBlocks(statements: Statement[], name: string, label?: string): Block[] {
  const out: Block[] = [];
  for (const s of statements) {
    if (s.kind !== 'block') continue;
    if (s.name === name && (label === undefined || s.label === label)) out.push(s);
    out.push(...findBlocks(s.body, name, label));
  }
  return out;
}

/** The value of an attribute in a block body. */
export function attrOf(b: Block, name: string): Value | undefined {
  const a = b.body.find((s): s is Attribute => s.kind === 'attr' && s.name === name);
  return a?.value;
}
