/**
 * The safetensors header parser: a strict JSON parser (RFC 8259) that keeps
 * numbers as text and reports duplicate keys (which JSON.parse would silently
 * merge). It works on the decoded header string; every error is a
 * CipherpatchError whose check starts with "safetensors.".
 */
import { fail } from '../core/errors.ts';

const MAX_JSON_DEPTH = 64;

/** A name as JSON writes it, for messages. */
export function quote(name: string): string {
  return JSON.stringify(name);
}

export class JsonNumber {
  constructor(readonly text: string) {}
}
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

export class JsonParser {
  private at = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    this.skipSpace();
    const value = this.parseValue(0, []);
    this.skipSpace();
    if (this.at < this.text.length) this.error(`unexpected ${this.describe()} after the JSON value`);
    return value;
  }

  private error(message: string): never {
    fail('safetensors.header-json', `header is not valid JSON: ${message} at character ${this.at}`);
  }

  private describe(): string {
    if (this.at >= this.text.length) return 'end of header';
    return `character ${JSON.stringify(this.text[this.at])}`;
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.at++;
      else break;
    }
  }

  private parseValue(depth: number, path: string[]): JsonValue {
    const c = this.text[this.at];
    if (c === '{') return this.parseObject(depth + 1, path);
    if (c === '[') return this.parseArray(depth + 1, path);
    if (c === '"') return this.parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.error(`expected a value, found ${this.describe()}`);
  }

  private enter(depth: number): void {
    if (depth > MAX_JSON_DEPTH) this.error(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
  }

  private parseObject(depth: number, path: string[]): Map<string, JsonValue> {
    this.enter(depth);
    this.at++; // {
    const result = new Map<string, JsonValue>();
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.error(`expected a quoted key, found ${this.describe()}`);
      const key = this.parseString();
      if (result.has(key)) {
        if (path.length === 0) fail('safetensors.duplicate-name', `header names ${quote(key)} twice (duplicate JSON key): which tensor is meant is ambiguous`);
        fail('safetensors.duplicate-key', `header entry ${path.map(quote).join('.')} has the key ${quote(key)} twice (duplicate JSON key)`);
      }
      this.skipSpace();
      if (this.text[this.at] !== ':') this.error(`expected ":" after key ${quote(key)}, found ${this.describe()}`);
      this.at++;
      this.skipSpace();
      result.set(key, this.parseValue(depth, [...path, key]));
      this.skipSpace();
      const c = this.text[this.at];
      this.at++;
      if (c === '}') return result;
      if (c !== ',') {
        this.at--;
        this.error(`expected "," or "}" in an object, found ${this.describe()}`);
      }
    }
  }

  private parseArray(depth: number, path: string[]): JsonValue[] {
    this.enter(depth);
    this.at++; // [
    const result: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      result.push(this.parseValue(depth, [...path, String(result.length)]));
      this.skipSpace();
      const c = this.text[this.at];
      this.at++;
      if (c === ']') return result;
      if (c !== ',') {
        this.at--;
        this.error(`expected "," or "]" in an array, found ${this.describe()}`);
      }
    }
  }

  private parseString(): string {
    const t = this.text;
    this.at++; // opening quote
    let out = '';
    let chunk = this.at;
    for (;;) {
      if (this.at >= t.length) this.error('unterminated string');
      const c = t.charCodeAt(this.at);
      if (c === 0x22) {
        out += t.slice(chunk, this.at);
        this.at++;
        return out;
      }
      if (c < 0x20) this.error('unescaped control character in a string');
      if (c !== 0x5c) {
        this.at++;
        continue;
      }
      out += t.slice(chunk, this.at);
      const e = t[this.at + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && Object.prototype.hasOwnProperty.call(simple, e)) {
        out += simple[e];
        this.at += 2;
      } else if (e === 'u') {
        const hex = t.slice(this.at + 2, this.at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.error('bad \\u escape in a string');
        out += String.fromCharCode(parseInt(hex, 16));
        this.at += 6;
      } else {
        this.error('bad escape in a string');
      }
      chunk = this.at;
    }
  }

  private parseNumber(): JsonNumber {
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = this.at;
    const m = match.exec(this.text);
    if (m === null) this.error('malformed number');
    this.at += m[0].length;
    return new JsonNumber(m[0]);
  }
}

export function describeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `the string ${quote(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value instanceof JsonNumber) return `the number ${value.text}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

/** A JSON integer written as plain digits that is a safe non-negative integer, else undefined. */
export function nonNegativeInteger(value: JsonValue): number | undefined {
  if (!(value instanceof JsonNumber) || !/^(?:0|[1-9][0-9]*)$/.test(value.text)) return undefined;
  const n = Number(value.text);
  return Number.isSafeInteger(n) ? n : undefined;
}
