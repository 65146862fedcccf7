// Commands promised by the chat contract whose features have not landed yet: they answer
// "not available yet". Tickets (issue 12) and the assistant (issue 14) replace entries here
// with their own modules: remove the command (and the `support` alias / the holder) when yours lands.
import { defineFeature, type FeatureModule } from '../../../core/feature';
import { reply, text } from '../../../core/reply';

const notYet = async (ctx: { t: (k: 'error.notAvailable') => string }) =>
  reply([text(ctx.t('error.notAvailable'))], { private: true });

export function soonFeature(): FeatureModule {
  return defineFeature({
    id: 'soon',
    aliases: ['support'],
    discordGroups: [{ name: 'ticket', descriptionKey: 'help.support' }],
    commands: [
      {
        name: 'support',
        descriptionKey: 'help.support',
        permission: 'everyone',
        discord: { group: 'ticket', name: 'open' },
        handler: notYet,
      },
    ],
    // `support:` under "node claimed by another account" opens a ticket once tickets land.
    buttons: [{ action: '', permission: 'everyone', handler: notYet }],
  });
}
