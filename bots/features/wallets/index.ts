// Wallet linking: Telegram /link /verify /wallets /unlink; Discord /link wallet|verify|list|remove.
import { defineFeature, type FeatureModule } from '../../../core/feature';
import type { Services } from '../../shared/services';
import { requiredText, userCommands } from '../declare';
import * as h from './handlers';

export function walletsFeature(services: Services): FeatureModule {
  const command = userCommands(services);
  // `/link wallet address:` and `/link remove address:` fill `wallet`.
  const wallet = (key: 'help.link' | 'help.unlink') =>
    requiredText('wallet', key, 128, { discordName: 'address' });
  return defineFeature({
    id: 'wallets',
    discordGroups: [{ name: 'link', descriptionKey: 'help.link' }],
    commands: [
      command('link', 'help.link', h.link, {
        params: [wallet('help.link')],
        discord: { group: 'link', name: 'wallet' },
      }),
      command('verify', 'help.verify', h.verify, {
        params: [requiredText('signature', 'help.verify', 256)],
        discord: { group: 'link', name: 'verify' },
      }),
      command('wallets', 'help.wallets', h.wallets, { discord: { group: 'link', name: 'list' } }),
      command('unlink', 'help.unlink', h.unlink, {
        params: [wallet('help.unlink')],
        discord: { group: 'link', name: 'remove' },
      }),
    ],
  });
}
