/**
 * Immutable byte blobs kept in memory by key, least recently used first out once their bytes pass a budget. Each blob
 * carries its strong ETag (SHA-256 of its bytes), computed once when it is kept, so a conditional GET costs no hashing.
 */
import { createHash } from 'node:crypto';

export interface Blob {
  bytes: Uint8Array;
  /** A strong entity tag, quoted as HTTP sends it. */
  etag: string;
}

/** The strong ETag of some bytes: their SHA-256, so equal bytes have equal tags on every node. */
export function contentTag(bytes: Uint8Array): string {
  return `"sha256-${createHash('sha256').update(bytes).digest('base64url')}"`;
}

/**
 * Whether an If-None-Match header names `etag` (RFC 9110 §13.1.2: weak comparison, `*` matches any current entity),
 * so the answer is 304 Not Modified.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || (tag.startsWith('W/') ? tag.slice(2) : tag) === etag;
  });
}

export class BlobCache<T extends Blob = Blob> {
  private readonly entries = new Map<string, T>();
  private heldBytes = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`BlobCache maxBytes must be an integer >= 0, got ${maxBytes}`);
  }

  /** The blob kept under `key`, now the most recently used. */
  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  /** Keeps `blob` under `key` (a blob over the whole budget is returned but not kept), evicting the least recently used. */
  set(key: string, blob: T): T {
    this.delete(key);
    if (blob.bytes.byteLength > this.maxBytes) return blob;
    this.entries.set(key, blob);
    this.heldBytes += blob.bytes.byteLength;
    for (const [oldest, kept] of this.entries) {
      if (this.heldBytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.heldBytes -= kept.bytes.byteLength;
    }
    return blob;
  }

  /** Drops every key `matches` accepts. */
  deleteWhere(matches: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) if (matches(key)) this.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  get bytes(): number {
    return this.heldBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string): void {
    const kept = this.entries.get(key);
    if (kept === undefined) return;
    this.entries.delete(key);
    this.heldBytes -= kept.bytes.byteLength;
  }
}
