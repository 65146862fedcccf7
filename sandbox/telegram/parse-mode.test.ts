import type { User } from '@grammyjs/types';
import { detectEntities, fixFormattedText } from './entities';
import { parseHtml } from './html';
import { parseMarkdownV2 } from './markdown-v2';
import { formatText } from './parse-mode';

const alice: User = { id: 42, is_bot: false, first_name: 'Alice' };
const findUser = (id: number): User | undefined => (id === 42 ? alice : undefined);
const md = (s: string) => parseMarkdownV2(s, findUser);
const html = (s: string) => parseHtml(s, findUser);
const format = (s: string, mode?: string) => formatText(s, mode, undefined, findUser);

describe('MarkdownV2', () => {
  it('rejects unescaped reserved characters with the Bot API wording', () => {
    expect(() => md('Node offline.')).toThrow(
      "Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    expect(() => md('a-b')).toThrow("Character '-' is reserved");
    expect(() => md('(x)')).toThrow("Character '(' is reserved");
    expect(() => md('#1')).toThrow("Character '#' is reserved");
    expect(() => md('wow!')).toThrow("Character '!' is reserved");
  });

  it('reports unclosed entities at their UTF-8 byte offset', () => {
    expect(() => md('*bold')).toThrow("Can't find end of Bold entity at byte offset 0");
    expect(() => md('é _it')).toThrow("Can't find end of Italic entity at byte offset 3");
    expect(() => md('`code')).toThrow("Can't find end of Code entity at byte offset 0");
  });

  it('parses nested styles, escapes and links into plain text and entities', () => {
    expect(md('*bold _italic_* \\. [site](https://example.com) __u__ ~s~ ||sp||')).toEqual({
      text: 'bold italic . site u s sp',
      entities: [
        { type: 'bold', offset: 0, length: 11 },
        { type: 'italic', offset: 5, length: 6 },
        { type: 'text_link', offset: 14, length: 4, url: 'https://example.com/' },
        { type: 'underline', offset: 19, length: 1 },
        { type: 'strikethrough', offset: 21, length: 1 },
        { type: 'spoiler', offset: 23, length: 2 },
      ],
    });
  });

  it('keeps code literal and reads the pre language', () => {
    expect(md('`a.b-c`')).toEqual({ text: 'a.b-c', entities: [{ type: 'code', offset: 0, length: 5 }] });
    expect(md('```ts\nconst x = 1;\n```')).toEqual({
      text: 'const x = 1;\n',
      entities: [{ type: 'pre', offset: 0, length: 13, language: 'ts' }],
    });
    expect(() => md('`a`b`')).toThrow("Can't find end of Code entity");
  });

  it('turns tg://user links into text mentions of known users', () => {
    expect(md('[Alice](tg://user?id=42)').entities).toEqual([
      { type: 'text_mention', offset: 0, length: 5, user: alice },
    ]);
  });

  it('parses block quotes line by line', () => {
    expect(md('>quoted\n>more\nafter')).toEqual({
      text: 'quoted\nmore\nafter',
      entities: [{ type: 'blockquote', offset: 0, length: 12 }],
    });
  });
});

describe('HTML', () => {
  it('parses tags and the four named character references', () => {
    expect(html('<b>Node</b> <code>abc</code> &lt;ok&gt; &amp; <a href="https://io.net">io</a>')).toEqual({
      text: 'Node abc <ok> & io',
      entities: [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'code', offset: 5, length: 3 },
        { type: 'text_link', offset: 16, length: 2, url: 'https://io.net/' },
      ],
    });
  });

  it('merges pre and code into a pre entity with a language', () => {
    expect(html('<pre><code class="language-json">{}</code></pre>').entities).toEqual([
      { type: 'pre', offset: 0, length: 2, language: 'json' },
    ]);
  });

  it('rejects unknown, unclosed and mismatched tags like Telegram', () => {
    expect(() => html('a <br> b')).toThrow('Unsupported start tag "br" at byte offset 2');
    expect(() => html('<b>bold')).toThrow("Can't find end tag corresponding to start tag b");
    expect(() => html('<b><i>x</b></i>')).toThrow(
      'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
    );
    expect(() => html('1 < 2')).toThrow('Unsupported start tag "" at byte offset 2');
    expect(() => html('</b>')).toThrow('Unexpected end tag at byte offset 0');
    expect(() => html('<span>x</span>')).toThrow('Tag "span" must have class "tg-spoiler"');
  });

  it('keeps unknown character references literally', () => {
    expect(html('&nbsp;&#65;&#x42;').text).toBe('&nbsp;AB');
  });
});

describe('normalisation', () => {
  it('trims, drops whitespace-only entities and detects commands, mentions and links', () => {
    expect(fixFormattedText('  /start@nodedesk_bot now, see io.net or @alice_w\n', [])).toEqual({
      text: '/start@nodedesk_bot now, see io.net or @alice_w',
      entities: [
        { type: 'bot_command', offset: 0, length: 19 },
        { type: 'url', offset: 29, length: 6 },
        { type: 'mention', offset: 39, length: 8 },
      ],
    });
    expect(fixFormattedText('a \n', [{ type: 'bold', offset: 1, length: 2 }])).toEqual({
      text: 'a',
      entities: [],
    });
  });

  it('does not detect entities inside code', () => {
    expect(format('<code>/start https://x.io</code>', 'HTML').entities).toEqual([
      { type: 'code', offset: 0, length: 19 },
    ]);
  });

  it('does not take file names or paths for links and commands', () => {
    expect(detectEntities('see report.txt and a/b')).toEqual([]);
  });

  it('wraps parser errors in the Bot API description', () => {
    expect(() => format('1.5', 'MarkdownV2')).toThrow(
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    expect(() => format('x', 'Markdown3')).toThrow('Bad Request: unsupported parse_mode');
  });
});
