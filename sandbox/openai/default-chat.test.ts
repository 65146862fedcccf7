import { DONT_KNOW, groundedAnswer, valueForSchema } from './default-chat';

describe('default chat answer', () => {
  it('grounds Chinese questions in Chinese context (character bigrams)', () => {
    const answer = groundedAnswer([
      { role: 'system', content: '代币发行时间是六月十一日。节点需要开放端口443。' },
      { role: 'user', content: '代币什么时候发行？' },
    ]);
    expect(answer).toBe('代币发行时间是六月十一日。');
  });

  it('uses earlier turns as context and answers the last user message', () => {
    expect(
      groundedAnswer([
        { role: 'user', content: 'My node abc-123 went offline.' },
        { role: 'assistant', content: 'Sorry to hear that.' },
        { role: 'user', content: 'Which node did I mention?' },
      ]),
    ).toBe('My node abc-123 went offline.');
    expect(groundedAnswer([{ role: 'user', content: 'anything' }])).toBe(DONT_KNOW);
  });

  it('builds a value for refs, enums, unions and nullable types', () => {
    const schema = {
      type: 'object',
      properties: {
        verdict: { type: 'string', enum: ['fake', 'genuine'] },
        note: { anyOf: [{ type: 'null' }, { type: 'string' }] },
        summary: { type: 'string' },
        score: { type: 'integer', minimum: 1 },
        evidence: { type: 'array', items: { $ref: '#/$defs/item' }, minItems: 1 },
      },
      $defs: {
        item: {
          type: 'object',
          properties: { kind: { const: 'uuid' }, count: { type: ['number', 'null'] } },
        },
      },
    };
    expect(valueForSchema(schema, 'TEXT')).toEqual({
      verdict: 'fake',
      note: '',
      summary: 'TEXT',
      score: 1,
      evidence: [{ kind: 'uuid', count: 0 }],
    });
  });
});
