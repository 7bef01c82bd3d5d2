// signing/party_key.ts: the party's Ed25519 key for signed acknowledgements, loaded from the file
// `deconflict keys generate --out FILE` writes (docs/acknowledgements.md, "Private key file"):
//
//   deconflict-ed25519-seed/v1\n
//   <standard base64 of the 32-byte Ed25519 seed>\n
//
// The seed goes into WebCrypto as PKCS#8 (302e020100300506032b657004220420 || seed) once to
// learn the public key (its key id: the first 8 bytes of SHA-256 of it, in hex), then again as a
// key that cannot be exported. Only that CryptoKey stays, in this tab's memory: nothing is
// stored, and reloading the page forgets it.
//
// What is signed is the statement of src/parties/acknowledgement.h, six lines each ended by \n:
//   deconflict-ack/v1, kind, object id, object digest (64 lowercase hex), party, time
//   (YYYY-MM-DDTHH:MM:SSZ)
import { fromBase64, toHex } from '../ledger/verify';

const kHeader = 'deconflict-ed25519-seed/v1';
const kPkcs8Prefix = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);

/** What an acknowledgement's body carries when signed (POST .../ack). */
export interface SignedAck {
  signature: string;
  signed_at: string;
}

export interface PartyKey {
  /** 16 hex digits: what the server names the key by. */
  keyId: string;
  /** Base64 of the 32-byte public key (what `keys register` sends). */
  publicKey: string;
  /** Signs the statement for (kind, object id, digest) as `party`, now. */
  sign(kind: string, objectId: string, digestHex: string, party: string): Promise<SignedAck>;
}

function subtle(): SubtleCrypto {
  if (!globalThis.crypto?.subtle) throw new Error('WebCrypto is unavailable here (the page needs https or localhost)');
  return crypto.subtle;
}

function base64OfBytes(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function base64UrlToBytes(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  return fromBase64(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
}

/** The statement's time: UTC, whole seconds, "Z". */
export function statementTime(ms: number = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function statementOf(kind: string, objectId: string, digestHex: string, party: string, time: string): string {
  return `deconflict-ack/v1\n${kind}\n${objectId}\n${digestHex.toLowerCase()}\n${party}\n${time}\n`;
}

/** Reads a key file's text; throws an Error saying what is wrong with it. */
export async function loadPartyKey(text: string): Promise<PartyKey> {
  const lines = text.split('\n');
  if (lines[0]?.trim() !== kHeader) throw new Error(`not a deconflict key file: the first line is not "${kHeader}"`);
  let seed: Uint8Array;
  try {
    seed = fromBase64((lines[1] ?? '').trim());
  } catch {
    throw new Error('the key file\'s second line is not base64');
  }
  if (seed.length !== 32) throw new Error(`the key file holds ${seed.length} bytes, not a 32-byte Ed25519 seed`);
  const pkcs8 = new Uint8Array(kPkcs8Prefix.length + 32);
  pkcs8.set(kPkcs8Prefix);
  pkcs8.set(seed, kPkcs8Prefix.length);
  seed.fill(0);
  const s = subtle();
  try {
    // Exportable once, only to read the public half (JWK "x").
    const probe = await s.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
    const jwk = await s.exportKey('jwk', probe);
    if (!jwk.x) throw new Error('WebCrypto gave no public key for the seed');
    const pub = base64UrlToBytes(jwk.x);
    const key = await s.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    const keyId = toHex(new Uint8Array(await s.digest('SHA-256', Uint8Array.from(pub))).slice(0, 8));
    return {
      keyId,
      publicKey: base64OfBytes(pub),
      async sign(kind, objectId, digestHex, party) {
        const signed_at = statementTime();
        const bytes = new TextEncoder().encode(statementOf(kind, objectId, digestHex, party, signed_at));
        const signature = new Uint8Array(await s.sign({ name: 'Ed25519' }, key, bytes));
        return { signature: base64OfBytes(signature), signed_at };
      },
    };
  } finally {
    pkcs8.fill(0);
  }
}
