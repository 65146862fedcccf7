// Wallet linking: Telegram /link /verify /wallets /unlink; Discord /link wallet|verify|list|remove.
import { defineFeature, type FeatureModule } from '../../../core/feature';
import type { Services } from '../../shared/services';
import { commandContext } from '../context';
import * as h from './handlers';

export function walletsFeature(services: Services): FeatureModule {
  const c = (ctx: Parameters<typeof commandContext>[0]) => commandContext(ctx, services);
  return defineFeature({
    id: 'wallets',
    discordGroups: [{ name: 'link', descriptionKey: 'help.link' }],
    commands: [
      {
        name: 'link',
        descriptionKey: 'help.link',
        permission: 'everyone',
        params: [
          {
            name: 'wallet',
            descriptionKey: 'help.link',
            required: true,
            maxLength: 128,
            discordName: 'address',
          },
        ],
        discord: { group: 'link', name: 'wallet' },
        handler: (ctx, args) => h.link(c(ctx), args),
      },
      {
        name: 'verify',
        descriptionKey: 'help.verify',
        permission: 'everyone',
        params: [{ name: 'signature', descriptionKey: 'help.verify', required: true, maxLength: 256 }],
        discord: { group: 'link', name: 'verify' },
        handler: (ctx, args) => h.verify(c(ctx), args),
      },
      {
        name: 'wallets',
        descriptionKey: 'help.wallets',
        permission: 'everyone',
        discord: { group: 'link', name: 'list' },
        handler: (ctx) => h.wallets(c(ctx)),
      },
      {
        name: 'unlink',
        descriptionKey: 'help.unlink',
        permission: 'everyone',
        params: [
          {
            name: 'wallet',
            descriptionKey: 'help.unlink',
            required: true,
            maxLength: 128,
            discordName: 'address',
          },
        ],
        discord: { group: 'link', name: 'remove' },
        handler: (ctx, args) => h.unlink(c(ctx), args),
      },
    ],
  });
}
