// ledger/verify.ts: the ledger's proofs checked in the browser with WebCrypto, byte for byte as
// docs/ledger_format.md specifies them (src/ledger/merkle.cc, note.cc):
//   leaf hash   SHA-256(0x00 || leaf), node hash SHA-256(0x01 || left || right) (RFC 9162 §2.1)
//   inclusion   RFC 9162 §2.1.3.2 over the audit path, deepest first
//   commitment  leaf = 0x01 || SHA-256(salt || entry) (format 2); a leaf starting with 'd' is a
//               format-1 entry itself
//   checkpoint  a C2SP signed note: text "origin\nsize\nroot\n", then "— name base64(keyid ||
//               sig)" lines; the server's line is Ed25519 over the text
//   key         C2SP verifier key "name+keyidhex+base64(0x01 || 32-byte public key)", keyid =
//               SHA-256(name || "\n" || 0x01 || public key)[0:4]
// WebCrypto needs a secure context (https, or http on localhost); elsewhere crypto.subtle is
// missing and every check says so.

export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function subtle(): SubtleCrypto {
  if (!globalThis.crypto?.subtle) {
    throw new Error('WebCrypto is unavailable here (the page needs https or localhost)');
  }
  return crypto.subtle;
}

export async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', concat(...parts)));
}

export const leafHash = (leaf: Uint8Array): Promise<Uint8Array> => sha256(Uint8Array.of(0), leaf);
const nodeHash = (l: Uint8Array, r: Uint8Array): Promise<Uint8Array> => sha256(Uint8Array.of(1), l, r);

/** The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or an Error saying why none. */
export async function rootFromInclusion(index: number, size: number, leaf: Uint8Array, proof: Uint8Array[]): Promise<Uint8Array> {
  if (index >= size) throw new Error(`index ${index} is not below the tree size ${size}`);
  let fn = index;
  let sn = size - 1;
  let r = await leafHash(leaf);
  for (const p of proof) {
    if (p.length !== 32) throw new Error(`a proof hash is ${p.length} bytes, not 32`);
    if (sn === 0) throw new Error('the proof is longer than the path to the root');
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('the proof is shorter than the path to the root');
  return r;
}

export interface NoteSignature {
  name: string;
  keyId: Uint8Array;
  /** After the key id: 64 bytes (Ed25519) or 8 + 64 (a witness's timestamp and signature). */
  signature: Uint8Array;
}

export interface Checkpoint {
  /** The signed text, "origin\nsize\nroot\n". */
  text: string;
  origin: string;
  size: number;
  root: Uint8Array;
  signatures: NoteSignature[];
}

/** Parses a checkpoint note; throws an Error naming what is malformed. */
export function parseCheckpoint(note: string): Checkpoint {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('the checkpoint has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const [origin = '', sizeLine = '', rootLine = ''] = text.split('\n');
  if (!/^(0|[1-9]\d*)$/.test(sizeLine)) throw new Error(`the checkpoint size "${sizeLine}" is not a decimal`);
  const root = fromBase64(rootLine);
  if (root.length !== 32) throw new Error(`the root hash is ${root.length} bytes, not 32`);
  const signatures: NoteSignature[] = [];
  for (const line of note.slice(split + 2).split('\n')) {
    if (!line) continue;
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m?.[1] || !m[2]) throw new Error(`a signature line is not "— name base64": ${line}`);
    const blob = fromBase64(m[2]);
    if (blob.length < 5) throw new Error(`the signature of ${m[1]} is too short`);
    signatures.push({ name: m[1], keyId: blob.slice(0, 4), signature: blob.slice(4) });
  }
  return { text, origin, size: Number(sizeLine), root, signatures };
}

export interface VerifierKey {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

/** Parses a C2SP Ed25519 verifier key and checks its key id; throws an Error saying why not. */
export async function parseVerifierKey(text: string): Promise<VerifierKey> {
  // Split at the first two '+' only: the base64 key material may itself contain '+'.
  const t = text.trim();
  const first = t.indexOf('+');
  const second = first < 0 ? -1 : t.indexOf('+', first + 1);
  const parts = second < 0 ? [] : [t.slice(0, first), t.slice(first + 1, second), t.slice(second + 1)];
  if (!parts[0] || !parts[1] || !parts[2]) {
    throw new Error('a verifier key has the form <name>+<key id hex>+<base64 key>');
  }
  const material = fromBase64(parts[2]);
  if (material.length !== 33 || material[0] !== 0x01) {
    throw new Error('the key is not an Ed25519 note key (33 bytes starting 0x01)');
  }
  const name = parts[0];
  const keyId = (await sha256(new TextEncoder().encode(`${name}\n`), material)).slice(0, 4);
  if (toHex(keyId) !== parts[1]) throw new Error(`the key id ${parts[1]} does not match the key (${toHex(keyId)})`);
  return { name, keyId, publicKey: material.slice(1) };
}

/** Checks the checkpoint's signature by `key`; throws an Error saying why it does not verify. */
export async function verifyCheckpoint(c: Checkpoint, key: VerifierKey): Promise<void> {
  const sig = c.signatures.find((s) => s.name === key.name && equalBytes(s.keyId, key.keyId));
  if (!sig) throw new Error(`the checkpoint carries no signature of ${key.name} (key id ${toHex(key.keyId)})`);
  if (sig.signature.length !== 64) throw new Error(`the signature of ${key.name} is ${sig.signature.length} bytes, not 64`);
  const s = subtle();
  const pub = await s.importKey('raw', concat(key.publicKey), { name: 'Ed25519' }, false, ['verify']);
  const ok = await s.verify({ name: 'Ed25519' }, pub, concat(sig.signature), new TextEncoder().encode(c.text));
  if (!ok) throw new Error(`the signature of ${key.name} does not verify over the checkpoint`);
}

/** The digest a format-2 leaf commits to, or null for a format-1 leaf (the entry itself). */
export function commitmentOf(leaf: Uint8Array): Uint8Array | null {
  return leaf.length === 33 && leaf[0] === 0x01 ? leaf.slice(1) : null;
}
