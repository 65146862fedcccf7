// Commands promised by the chat contract whose features have not landed yet: they answer
// "not available yet". Tickets (issue 12) and the assistant (issue 14) replace entries here
// with their own modules: remove the command (and the `support` alias / the holder) when yours lands.
import { defineFeature, HOLDER_ORDER, type FeatureModule } from '../../../core/feature';
import { reply, text } from '../../../core/reply';

const notYet = async (ctx: { t: (k: 'error.notAvailable') => string }) =>
  reply([text(ctx.t('error.notAvailable'))], { private: true });

export function soonFeature(): FeatureModule {
  return defineFeature({
    id: 'soon',
    discordGroups: [{ name: 'report', descriptionKey: 'help.report' }],
    commands: [
      { name: 'points', descriptionKey: 'help.points', permission: 'everyone', handler: notYet },
      {
        name: 'ask',
        descriptionKey: 'help.ask',
        permission: 'everyone',
        params: [
          { name: 'question', descriptionKey: 'help.ask', required: true, rest: true, maxLength: 1000 },
        ],
        handler: notYet,
      },
      {
        name: 'report',
        descriptionKey: 'help.report',
        permission: 'everyone',
        params: [
          { name: 'node_id', descriptionKey: 'help.report', required: true, maxLength: 128 },
          { name: 'reason', descriptionKey: 'help.report', required: true, rest: true, maxLength: 1000 },
        ],
        discord: { group: 'report', name: 'node' },
        handler: notYet,
      },
    ],
    // Plain DM text is a question for the assistant (placeholder until it lands).
    holders: [
      {
        name: 'assistant',
        order: HOLDER_ORDER.assistant,
        where: ['dm'],
        permission: 'everyone',
        offer: notYet,
      },
    ],
  });
}
