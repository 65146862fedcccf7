// Deterministic stand-in for an embedding model: a signed, hashed bag of words (the
// "hashing trick"), L2-normalised. Texts sharing terms get a positive cosine similarity,
// unrelated texts land near 0, and the same text always gives the same vector.
import { terms } from './text-terms';

/** 32-bit FNV-1a: tiny, stable across runs and platforms. */
function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function hashedEmbedding(text: string, dimensions = 256): number[] {
  const vec = new Float64Array(dimensions);
  const counts = new Map<string, number>();
  for (const t of terms(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  // Text with no terms at all (punctuation, stopwords only) still gets a stable vector.
  if (counts.size === 0) counts.set(`\u0000${text}`, 1);
  for (const [term, n] of counts) {
    // A second hash picks the sign, so collisions cancel out instead of adding up.
    const sign = fnv1a(term, 0x9747b28c) & 1 ? 1 : -1;
    vec[fnv1a(term) % dimensions]! += sign * (1 + Math.log(n));
  }
  let norm = 0;
  for (const x of vec) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  // Round through float32 so the float and base64 encodings decode to the same numbers.
  return Array.from(vec, (x) => Math.fround(x / norm));
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** The API's `encoding_format: "base64"`: little-endian float32 bytes, base64 encoded. */
export function toBase64Float32(vector: readonly number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString('base64');
}
