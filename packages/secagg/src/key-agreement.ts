/** X25519 key pairs and the pairwise mask seed s_uv = SHA-512(X25519(sk_u, pk_v) ‖ context)[0..32]. */
import nacl from 'tweetnacl';

export interface KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function generateKeyPair(): KeyPair {
  return nacl.box.keyPair();
}

export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  return nacl.box.keyPair.fromSecretKey(secretKey);
}

/** Both ends of a pair derive the same seed; the context binds it to one round of one job. */
export function pairwiseSeed(mySecretKey: Uint8Array, theirPublicKey: Uint8Array, context: string): Uint8Array {
  const shared = nacl.scalarMult(mySecretKey, theirPublicKey);
  const label = new TextEncoder().encode(context);
  const input = new Uint8Array(shared.length + label.length);
  input.set(shared);
  input.set(label, shared.length);
  return nacl.hash(input).slice(0, 32);
}
