/** One client's side of a secure-aggregation round: keys, secret shares, the masked input, and unmasking. */
import nacl from 'tweetnacl';
import { ShoalError } from '@shoal/protocol';
import { generateKeyPair, pairwiseSeed, type KeyPair } from './key-agreement.js';
import { expandMask } from './prg.js';
import { addInRing } from './fixed-point.js';
import { shamirSplit, type Share } from './shamir.js';
import type { AdvertiseMessage, EncryptedShare, MaskedInputMessage, SecAggParameters, ShareKeysMessage, UnmaskMessage } from './messages.js';

interface HeldShares {
  selfSeed: Share;
  maskingKey: Share;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export class SecAggClient {
  private readonly encryptionKeys: KeyPair = generateKeyPair();
  private readonly maskingKeys: KeyPair = generateKeyPair();
  private readonly selfSeed = nacl.randomBytes(32);
  private roster: AdvertiseMessage[] = [];
  private readonly held = new Map<string, HeldShares>();
  private survivorsAfterSharing: string[] = [];

  constructor(
    readonly clientId: string,
    private readonly parameters: SecAggParameters,
  ) {}

  advertise(): AdvertiseMessage {
    return { clientId: this.clientId, encryptionPublicKey: this.encryptionKeys.publicKey, maskingPublicKey: this.maskingKeys.publicKey };
  }

  /** Splits b_u and the masking secret key t-of-|U1| and encrypts each pair of shares to its recipient. */
  shareKeys(roster: readonly AdvertiseMessage[]): ShareKeysMessage {
    this.requireQuorum(roster.length, 'advertised keys');
    if (!roster.some((entry) => entry.clientId === this.clientId)) throw new ShoalError('CONFLICT', 'the roster does not include this client');
    this.roster = [...roster].sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
    const { threshold } = this.parameters;
    const seedShares = shamirSplit(this.selfSeed, threshold, this.roster.length);
    const keyShares = shamirSplit(this.maskingKeys.secretKey, threshold, this.roster.length);
    const shares: EncryptedShare[] = [];
    this.roster.forEach((peer, index) => {
      const selfSeed = seedShares[index]!;
      const maskingKey = keyShares[index]!;
      if (peer.clientId === this.clientId) {
        this.held.set(this.clientId, { selfSeed, maskingKey });
        return;
      }
      const plaintext = encoder.encode(
        JSON.stringify({ from: this.clientId, to: peer.clientId, context: this.parameters.context, x: selfSeed.x, seed: toBase64(selfSeed.bytes), key: toBase64(maskingKey.bytes) }),
      );
      const nonce = nacl.randomBytes(nacl.box.nonceLength);
      shares.push({ from: this.clientId, to: peer.clientId, nonce, ciphertext: nacl.box(plaintext, nonce, peer.encryptionPublicKey, this.encryptionKeys.secretKey) });
    });
    return { clientId: this.clientId, shares };
  }

  /** y_u = x_u + PRG(b_u) + Σ_{v∈U2, v>u} PRG(s_uv) − Σ_{v∈U2, v<u} PRG(s_uv)  (mod 2^b). */
  maskedInput(delivered: readonly EncryptedShare[], survivors: readonly string[], input: Uint32Array): MaskedInputMessage {
    this.requireQuorum(survivors.length, 'clients that shared keys');
    if (input.length !== this.parameters.length) throw new ShoalError('SHAPE_MISMATCH', `input has ${input.length} elements, the round expects ${this.parameters.length}`);
    for (const share of delivered) this.receiveShare(share);
    this.survivorsAfterSharing = [...survivors];
    const { ringBits, length, context } = this.parameters;
    const masked = Uint32Array.from(input);
    addInRing(masked, expandMask(this.selfSeed, length, ringBits), 1, ringBits);
    for (const peerId of survivors) {
      if (peerId === this.clientId) continue;
      const peer = this.peer(peerId);
      const seed = pairwiseSeed(this.maskingKeys.secretKey, peer.maskingPublicKey, context);
      addInRing(masked, expandMask(seed, length, ringBits), this.clientId < peerId ? 1 : -1, ringBits);
    }
    return { clientId: this.clientId, masked };
  }

  /** Reveals shares of b_v for v ∈ U3 and of the masking key for v ∈ U2 \ U3 — never both for the same v. */
  unmask(maskedSurvivors: readonly string[]): UnmaskMessage {
    this.requireQuorum(maskedSurvivors.length, 'clients that sent masked inputs');
    const sharing = new Set(this.survivorsAfterSharing);
    if (maskedSurvivors.some((id) => !sharing.has(id))) throw new ShoalError('CONFLICT', 'U3 must be a subset of U2');
    const alive = new Set(maskedSurvivors);
    const message: UnmaskMessage = { clientId: this.clientId, selfSeedShares: [], maskingKeyShares: [] };
    for (const peerId of this.survivorsAfterSharing) {
      const held = this.held.get(peerId);
      if (held === undefined) continue;
      if (alive.has(peerId)) message.selfSeedShares.push({ of: peerId, x: held.selfSeed.x, bytes: held.selfSeed.bytes });
      else message.maskingKeyShares.push({ of: peerId, x: held.maskingKey.x, bytes: held.maskingKey.bytes });
    }
    return message;
  }

  private receiveShare(share: EncryptedShare): void {
    if (share.to !== this.clientId) throw new ShoalError('VALIDATION_FAILED', `share addressed to ${share.to}`);
    const sender = this.peer(share.from);
    const plaintext = nacl.box.open(share.ciphertext, share.nonce, sender.encryptionPublicKey, this.encryptionKeys.secretKey);
    if (plaintext === null) throw new ShoalError('VALIDATION_FAILED', `share from ${share.from} does not decrypt`);
    const body = JSON.parse(decoder.decode(plaintext)) as { from: string; to: string; context: string; x: number; seed: string; key: string };
    if (body.from !== share.from || body.to !== this.clientId || body.context !== this.parameters.context) {
      throw new ShoalError('VALIDATION_FAILED', `share from ${share.from} is for another round or recipient`);
    }
    this.held.set(share.from, { selfSeed: { x: body.x, bytes: fromBase64(body.seed) }, maskingKey: { x: body.x, bytes: fromBase64(body.key) } });
  }

  private peer(clientId: string): AdvertiseMessage {
    const peer = this.roster.find((entry) => entry.clientId === clientId);
    if (peer === undefined) throw new ShoalError('VALIDATION_FAILED', `${clientId} is not in this round's roster`);
    return peer;
  }

  private requireQuorum(count: number, what: string): void {
    if (count < this.parameters.threshold) {
      throw new ShoalError('CONFLICT', `secure aggregation aborted: ${count} ${what}, threshold ${this.parameters.threshold}`);
    }
  }
}
