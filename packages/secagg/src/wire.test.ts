import { describe, expect, it } from 'vitest';
import nacl from 'tweetnacl';
import { ShoalError } from '@shoal/protocol';
import { SecAggClient } from './secagg-client.js';
import { ringFromBytes, ringToBytes } from './ring-bytes.js';
import { advertiseFromWire, advertiseToWire, rosterFromWire, rosterToWire, shareKeysFromWire, shareKeysToWire, unmaskFromWire, unmaskToWire } from './wire.js';

const parameters = { context: 'job-1/1/abc', threshold: 2, ringBits: 32 as const, length: 4 };

describe('secure-aggregation wire format', () => {
  it('carries the masked vector as exactly length little-endian words of ringBits', () => {
    const values = Uint32Array.of(0, 1, 0xfffe, 0xffffffff);
    const bytes32 = ringToBytes(values, 32);
    expect(Array.from(bytes32.subarray(0, 8))).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
    expect(ringFromBytes(bytes32, 32, 4)).toEqual(values);
    const bytes16 = ringToBytes(Uint32Array.of(1, 0xfffe), 16);
    expect(Array.from(bytes16)).toEqual([1, 0, 0xfe, 0xff]);
    expect(Array.from(ringFromBytes(bytes16, 16, 2))).toEqual([1, 0xfffe]);
    expect(() => ringFromBytes(bytes32.subarray(1), 32, 4)).toThrow(/has 15 bytes; 4 elements of a 32-bit ring take exactly 16/);
    expect(() => ringFromBytes(bytes16, 16, 3)).toThrow(ShoalError);
  });

  it('round-trips every message through its wire form and refuses wrong lengths with the field named', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((id) => new SecAggClient(id, parameters));
    const roster = [a!, b!, c!].map((client) => client.advertise());
    expect(rosterFromWire(rosterToWire(roster))).toEqual(roster);
    const shares = a!.shareKeys(roster);
    expect(shareKeysFromWire('a', shareKeysToWire(shares))).toEqual(shares);
    b!.shareKeys(roster);
    c!.shareKeys(roster);
    a!.maskedInput([], ['a', 'b', 'c'], new Uint32Array(4));
    const unmask = a!.unmask(['a', 'b']);
    expect(unmaskFromWire('a', unmaskToWire(unmask))).toEqual(unmask);

    const wire = advertiseToWire(roster[0]!);
    expect(() => advertiseFromWire('a', { ...wire, maskingPublicKey: Buffer.from(nacl.randomBytes(31)).toString('base64') })).toThrow(/\/maskingPublicKey must decode to 32 bytes, not 31/);
    expect(() => shareKeysFromWire('a', [{ ...shareKeysToWire(shares)[0]!, nonce: 'A'.repeat(31) + '=' }])).toThrow(/\/shares\/0\/nonce/);
    const [first] = unmaskToWire(unmask).selfSeedShares;
    expect(() => unmaskFromWire('a', { selfSeedShares: [{ ...first!, share: first!.share.slice(0, 52) }], maskingKeyShares: [] })).toThrow(/\/selfSeedShares\/0\/share must decode to 40 bytes/);
  });
});
