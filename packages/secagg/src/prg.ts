/**
 * The mask generator: a 32-byte seed expanded into ring elements with XSalsa20 (tweetnacl's secretbox over zeros,
 * nonce 0, MAC bytes dropped), so a client in any language with NaCl/libsodium derives the same mask.
 */
import nacl from 'tweetnacl';

const ZERO_NONCE = new Uint8Array(nacl.secretbox.nonceLength);

/** `length` pseudo-random values reduced mod 2^ringBits (ringBits 16 or 32), little-endian words of the stream. */
export function expandMask(seed: Uint8Array, length: number, ringBits: RingBits): Uint32Array {
  if (seed.length !== nacl.secretbox.keyLength) throw new RangeError(`seed must be ${nacl.secretbox.keyLength} bytes`);
  const stream = nacl.secretbox(new Uint8Array(length * 4), ZERO_NONCE, seed).subarray(nacl.secretbox.overheadLength);
  const words = new Uint32Array(stream.buffer.slice(stream.byteOffset, stream.byteOffset + length * 4));
  if (ringBits === 16) for (let i = 0; i < length; i++) words[i] = words[i]! & 0xffff;
  return words;
}

export type RingBits = 16 | 32;

export function ringMask(ringBits: RingBits): number {
  return ringBits === 32 ? 0xffffffff : 0xffff;
}
