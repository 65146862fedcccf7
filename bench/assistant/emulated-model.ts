// A stand-in for a model in the evaluation: the emulator's grounded answer (sentences of
// the given entries sharing most words with the question), citing the entry those
// sentences come from, confident when it found any. It sees exactly what a real model sees.
import type OpenAI from 'openai';
import { DONT_KNOW, groundedAnswer } from '../../sandbox/openai/default-chat';
import { messageText } from '../../sandbox/openai/validate-chat';

export function emulatedModel(req: OpenAI.ChatCompletionCreateParams): object {
  const context = req.messages.map((m) => messageText(m.content)).join('\n');
  const entries = [
    ...context.matchAll(/<entry id="([^"]+)"[^>]*title="([^"]*)">\n([\s\S]*?)\n<\/entry>/g),
  ].map((m) => ({ id: m[1]!, body: `${m[2]!}. ${m[3]!}` }));
  // The emulator's word splitter needs a space where Latin and Chinese script meet.
  const question = messageText(req.messages[req.messages.length - 1]!.content).replace(
    /(?<=[a-z0-9])(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(?=[a-z0-9])/giu,
    ' ',
  );
  // Only the entries and the question, so the instructions never become answer material.
  const text = groundedAnswer([
    ...entries.map((e): OpenAI.ChatCompletionMessageParam => ({ role: 'system', content: e.body })),
    { role: 'user', content: question },
  ]);
  if (text === DONT_KNOW) return { answer: '', cited_ids: [], confidence: 0 };
  const first = text.split(/(?<=[.!?。！？])\s*/u)[0] ?? text;
  const cited = entries.find((e) => e.body.includes(first.slice(0, 30)))?.id ?? entries[0]?.id;
  return { answer: text, cited_ids: cited ? [cited] : [], confidence: 0.9 };
}
