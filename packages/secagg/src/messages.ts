/** The messages of one secure-aggregation round (Bonawitz et al. 2017, semi-honest variant), phase by phase. */

export interface SecAggParameters {
  /** Binds keys and masks to one round of one job, e.g. "job-1/round-3". */
  context: string;
  /** t: shares needed to reconstruct; the round aborts when fewer than t clients remain at any phase. */
  threshold: number;
  ringBits: 16 | 32;
  /** d: number of ring elements in each input. */
  length: number;
}

/** Phase 0, client → server: two public keys (X25519). */
export interface AdvertiseMessage {
  clientId: string;
  encryptionPublicKey: Uint8Array;
  maskingPublicKey: Uint8Array;
}

/** Phase 1, client → server: for each other client, its shares of my self-mask seed and masking secret key, encrypted to it. */
export interface ShareKeysMessage {
  clientId: string;
  shares: EncryptedShare[];
}

export interface EncryptedShare {
  from: string;
  to: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

/** Phase 2, client → server: the masked input y_u. */
export interface MaskedInputMessage {
  clientId: string;
  masked: Uint32Array;
}

/** Phase 3, client → server: shares of b_v for surviving v, shares of the masking secret key for dropped v. */
export interface UnmaskMessage {
  clientId: string;
  selfSeedShares: { of: string; x: number; bytes: Uint8Array }[];
  maskingKeyShares: { of: string; x: number; bytes: Uint8Array }[];
}
