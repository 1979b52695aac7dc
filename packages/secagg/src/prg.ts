/**
 * The mask generator: a 32-byte seed expanded into ring elements with the XSalsa20 keystream (key = seed, nonce = 24
 * zero bytes, from byte 0), so a client in any language with NaCl/libsodium (crypto_stream_xsalsa20) derives the same mask.
 */
import nacl from 'tweetnacl';

const ZERO_NONCE = new Uint8Array(24);
/** The spec's words are little-endian; a Uint32Array view reads them so only on a little-endian machine. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
/** tweetnacl's low-level API (present at run time, absent from its type declarations). */
const lowlevel = (nacl as unknown as { lowlevel: { crypto_stream(out: Uint8Array, outPos: number, length: number, nonce: Uint8Array, key: Uint8Array): number } }).lowlevel;

/** `length` pseudo-random values reduced mod 2^ringBits (ringBits 16 or 32), little-endian words of the stream. */
export function expandMask(seed: Uint8Array, length: number, ringBits: RingBits): Uint32Array {
  if (seed.length !== nacl.secretbox.keyLength) throw new RangeError(`seed must be ${nacl.secretbox.keyLength} bytes`);
  const stream = new Uint8Array(length * 4);
  lowlevel.crypto_stream(stream, 0, stream.length, ZERO_NONCE, seed);
  let words = new Uint32Array(stream.buffer);
  if (!LITTLE_ENDIAN) {
    const view = new DataView(stream.buffer);
    words = Uint32Array.from({ length }, (_, i) => view.getUint32(4 * i, true));
  }
  if (ringBits === 16) for (let i = 0; i < length; i++) words[i] = words[i]! & 0xffff;
  return words;
}

export type RingBits = 16 | 32;

export function ringMask(ringBits: RingBits): number {
  return ringBits === 32 ? 0xffffffff : 0xffff;
}
