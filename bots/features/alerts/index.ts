// Alert settings: Telegram /status /mute /maintenance; Discord /status and /alerts mute|unmute|settings|maintenance.
import { defineFeature, type FeatureModule } from '../../../core/feature';
import type { Services } from '../../shared/services';
import { requiredText, userCommands } from '../declare';
import * as h from './handlers';

export function alertsFeature(services: Services): FeatureModule {
  const command = userCommands(services);
  return defineFeature({
    id: 'alerts',
    discordGroups: [{ name: 'alerts', descriptionKey: 'help.mute' }],
    commands: [
      command('status', 'help.status', h.status),
      command('mute', 'help.mute', h.mute, {
        params: [requiredText('duration', 'help.mute', 32)],
        discord: [
          { group: 'alerts', name: 'mute' },
          { group: 'alerts', name: 'unmute', fixed: { duration: 'off' } },
          { group: 'alerts', name: 'settings', fixed: { duration: 'status' } },
        ],
      }),
      command('maintenance', 'help.maintenance', h.maintenance, {
        params: [
          requiredText('node_id', 'help.maintenance', 128),
          requiredText('duration', 'help.maintenance', 32),
        ],
        discord: { group: 'alerts', name: 'maintenance' },
      }),
    ],
  });
}
