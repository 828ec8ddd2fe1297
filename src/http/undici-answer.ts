/**
 * An answer from undici's `request` read the way a fetch `Response` is: headers by case-insensitive name (a
 * repeated header joined with ", ", as fetch does), and the body's bytes as an ArrayBuffer of their own.
 */
export type RawHeaders = Record<string, string | string[] | undefined>;

export function headersOf(raw: RawHeaders): {
  get(name: string): string | null;
  entries(): IterableIterator<[string, string]>;
} {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
  }
  return { get: (name) => headers.get(name.toLowerCase()) ?? null, entries: () => headers.entries() };
}

export function arrayBufferOf(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
