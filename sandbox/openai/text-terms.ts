// Crude, deterministic term extraction shared by the fake embeddings and the default chat
// answer. It only has to make "texts that share words are similar" true, in English and
// Chinese (the bot's two languages), so retrieval tests behave like they would with a
// real model without any model at all.

// Words so common that sharing them says nothing about two texts being related.
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can do does did for from has have how i if in into is it its ' +
    'me my no not of on or our so than that the their them then there these they this to was we ' +
    'were what when where which who why will with you your'
  ).split(' '),
);

// CJK ideographs carry no spaces, so overlapping character pairs stand in for words.
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Lower-cased content terms: ASCII/Latin words (plural "s" folded) and CJK bigrams. */
export function terms(text: string): string[] {
  const out: string[] = [];
  const tokens =
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const token of tokens) {
    if (CJK.test(token)) {
      const chars = [...token];
      if (chars.length === 1) out.push(chars[0]!);
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
      continue;
    }
    if (STOPWORDS.has(token)) continue;
    // "nodes" and "node" should match; "ss" words (address, loss) keep their ending.
    out.push(token.length > 3 && token.endsWith('s') && !token.endsWith('ss') ? token.slice(0, -1) : token);
  }
  return out;
}
