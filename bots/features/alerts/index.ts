// Alert settings: Telegram /status /mute /maintenance; Discord /status and /alerts mute|unmute|settings|maintenance.
import { defineFeature, type FeatureModule } from '../../../core/feature';
import type { Services } from '../../shared/services';
import { commandContext } from '../context';
import * as h from './handlers';

export function alertsFeature(services: Services): FeatureModule {
  const c = (ctx: Parameters<typeof commandContext>[0]) => commandContext(ctx, services);
  return defineFeature({
    id: 'alerts',
    discordGroups: [{ name: 'alerts', descriptionKey: 'help.mute' }],
    commands: [
      {
        name: 'status',
        descriptionKey: 'help.status',
        permission: 'everyone',
        handler: (ctx) => h.status(c(ctx)),
      },
      {
        name: 'mute',
        descriptionKey: 'help.mute',
        permission: 'everyone',
        params: [{ name: 'duration', descriptionKey: 'help.mute', required: true, maxLength: 32 }],
        discord: [
          { group: 'alerts', name: 'mute' },
          { group: 'alerts', name: 'unmute', fixed: { duration: 'off' } },
          { group: 'alerts', name: 'settings', fixed: { duration: 'status' } },
        ],
        handler: (ctx, args) => h.mute(c(ctx), args),
      },
      {
        name: 'maintenance',
        descriptionKey: 'help.maintenance',
        permission: 'everyone',
        params: [
          { name: 'node_id', descriptionKey: 'help.maintenance', required: true, maxLength: 128 },
          { name: 'duration', descriptionKey: 'help.maintenance', required: true, maxLength: 32 },
        ],
        discord: { group: 'alerts', name: 'maintenance' },
        handler: (ctx, args) => h.maintenance(c(ctx), args),
      },
    ],
  });
}
