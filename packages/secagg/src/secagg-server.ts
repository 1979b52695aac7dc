/**
 * The coordinator's side of a secure-aggregation round. It routes encrypted shares, collects masked inputs, and
 * recovers only the sum: self masks of survivors from their reconstructed seeds, pairwise masks of dropped clients
 * from their reconstructed masking keys. Semi-honest model: the consistency-check round of the paper is omitted.
 */
import { ShoalError } from '@shoal/protocol';
import { keyPairFromSecret, pairwiseSeed } from './key-agreement.js';
import { expandMask } from './prg.js';
import { addInRing } from './fixed-point.js';
import { shamirCombine } from './shamir.js';
import type { AdvertiseMessage, EncryptedShare, MaskedInputMessage, SecAggParameters, ShareKeysMessage, UnmaskMessage } from './messages.js';

export class SecAggServer {
  private readonly advertised = new Map<string, AdvertiseMessage>();
  private readonly shared = new Map<string, ShareKeysMessage>();
  private readonly masked = new Map<string, MaskedInputMessage>();
  private readonly unmasked = new Map<string, UnmaskMessage>();
  private phase: 'advertise' | 'share' | 'mask' | 'unmask' | 'done' = 'advertise';
  private roster: AdvertiseMessage[] = [];
  private sharers: string[] = [];
  private maskers: string[] = [];

  constructor(private readonly parameters: SecAggParameters) {}

  receiveAdvertise(message: AdvertiseMessage): void {
    this.expectPhase('advertise');
    if (message.encryptionPublicKey.length !== 32 || message.maskingPublicKey.length !== 32) throw new ShoalError('VALIDATION_FAILED', 'public keys must be 32 bytes');
    this.advertised.set(message.clientId, message);
  }

  /** U1: everyone who advertised keys. */
  closeAdvertise(): AdvertiseMessage[] {
    this.expectPhase('advertise');
    this.roster = [...this.advertised.values()].sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
    this.requireQuorum(this.roster.length, 'clients advertised keys');
    this.phase = 'share';
    return this.roster;
  }

  receiveShareKeys(message: ShareKeysMessage): void {
    this.expectPhase('share');
    this.requireMember(message.clientId, this.roster.map((r) => r.clientId));
    if (message.shares.some((share) => share.from !== message.clientId)) throw new ShoalError('VALIDATION_FAILED', 'shares must come from their sender');
    this.shared.set(message.clientId, message);
  }

  /** U2 and, per client, the ciphertexts addressed to it by members of U2. */
  closeShareKeys(): { survivors: string[]; deliveries: Map<string, EncryptedShare[]> } {
    this.expectPhase('share');
    this.sharers = [...this.shared.keys()].sort();
    this.requireQuorum(this.sharers.length, 'clients shared keys');
    const deliveries = new Map<string, EncryptedShare[]>(this.sharers.map((id) => [id, []]));
    for (const message of this.shared.values()) for (const share of message.shares) deliveries.get(share.to)?.push(share);
    this.phase = 'mask';
    return { survivors: this.sharers, deliveries };
  }

  receiveMaskedInput(message: MaskedInputMessage): void {
    this.expectPhase('mask');
    this.requireMember(message.clientId, this.sharers);
    if (message.masked.length !== this.parameters.length) throw new ShoalError('SHAPE_MISMATCH', `masked input has ${message.masked.length} elements, expected ${this.parameters.length}`);
    this.masked.set(message.clientId, message);
  }

  /** U3: the clients whose masked inputs arrived. */
  closeMaskedInput(): string[] {
    this.expectPhase('mask');
    this.maskers = [...this.masked.keys()].sort();
    this.requireQuorum(this.maskers.length, 'masked inputs arrived');
    this.phase = 'unmask';
    return this.maskers;
  }

  receiveUnmask(message: UnmaskMessage): void {
    this.expectPhase('unmask');
    this.requireMember(message.clientId, this.maskers);
    this.unmasked.set(message.clientId, message);
  }

  /** Σ_{u∈U3} x_u mod 2^b, or a CONFLICT error when fewer than t clients helped unmask. */
  finish(): Uint32Array {
    this.expectPhase('unmask');
    this.requireQuorum(this.unmasked.size, 'clients helped unmask');
    const { ringBits, length, context } = this.parameters;
    const sum = new Uint32Array(length);
    for (const id of this.maskers) addInRing(sum, this.masked.get(id)!.masked, 1, ringBits);
    for (const id of this.maskers) addInRing(sum, expandMask(this.reconstruct(id, 'selfSeedShares'), length, ringBits), -1, ringBits);
    const alive = new Set(this.maskers);
    for (const dropped of this.sharers.filter((id) => !alive.has(id))) {
      const maskingKey = keyPairFromSecret(this.reconstruct(dropped, 'maskingKeyShares'));
      for (const survivor of this.maskers) {
        const survivorKey = this.advertised.get(survivor)!.maskingPublicKey;
        const seed = pairwiseSeed(maskingKey.secretKey, survivorKey, context);
        // The survivor added +PRG when survivor < dropped, −PRG otherwise; undo it.
        addInRing(sum, expandMask(seed, length, ringBits), survivor < dropped ? -1 : 1, ringBits);
      }
    }
    this.phase = 'done';
    return sum;
  }

  private reconstruct(of: string, kind: 'selfSeedShares' | 'maskingKeyShares'): Uint8Array {
    const shares = [...this.unmasked.values()].flatMap((message) => message[kind].filter((share) => share.of === of)).map((s) => ({ x: s.x, bytes: s.bytes }));
    const unique = [...new Map(shares.map((s) => [s.x, s])).values()];
    return shamirCombine(unique.slice(0, Math.max(this.parameters.threshold, 1)));
  }

  private expectPhase(phase: SecAggServer['phase']): void {
    if (this.phase !== phase) throw new ShoalError('CONFLICT', `secure aggregation is in phase '${this.phase}', not '${phase}'`);
  }

  private requireMember(clientId: string, members: readonly string[]): void {
    if (!members.includes(clientId)) throw new ShoalError('NOT_SELECTED', `${clientId} is not part of this phase`);
  }

  private requireQuorum(count: number, what: string): void {
    if (count < this.parameters.threshold) {
      throw new ShoalError('CONFLICT', `secure aggregation aborted: ${count} ${what}, threshold ${this.parameters.threshold}`);
    }
  }
}
