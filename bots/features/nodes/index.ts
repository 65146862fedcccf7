// Node claims: Telegram /addnode /nodes /removenode; Discord /nodes add|list|remove.
import { defineFeature, type FeatureModule } from '../../../core/feature';
import type { Services } from '../../shared/services';
import { commandContext } from '../context';
import * as h from './handlers';
import { claimnode } from './claim';
import { ADDNODE_NETWORKS } from '../../../accounts/node-networks';

export function nodesFeature(services: Services): FeatureModule {
  const c = (ctx: Parameters<typeof commandContext>[0]) => commandContext(ctx, services);
  return defineFeature({
    id: 'nodes',
    discordGroups: [{ name: 'nodes', descriptionKey: 'help.nodes' }],
    commands: [
      {
        name: 'addnode',
        descriptionKey: 'help.addnode',
        permission: 'everyone',
        params: [
          { name: 'node_id', descriptionKey: 'help.addnode', required: true, maxLength: 128 },
          // Optional: which network watches it, when its id could be several networks'.
          {
            name: 'network',
            descriptionKey: 'help.addnode.network',
            maxLength: 16,
            choices: ADDNODE_NETWORKS.map((value) => ({ value })),
          },
        ],
        discord: { group: 'nodes', name: 'add' },
        handler: (ctx, args) => h.addnode(c(ctx), args),
      },
      {
        name: 'nodes',
        descriptionKey: 'help.nodes',
        permission: 'everyone',
        discord: { group: 'nodes', name: 'list' },
        handler: (ctx) => h.nodes(c(ctx)),
      },
      {
        name: 'claimnode',
        descriptionKey: 'help.claimnode',
        permission: 'everyone',
        params: [{ name: 'node_id', descriptionKey: 'help.claimnode', required: true, maxLength: 128 }],
        // Top level on Discord: `/nodes` keeps exactly the contract's add|list|remove.
        discord: { name: 'claimnode' },
        handler: (ctx, args) => claimnode(c(ctx), args),
      },
      {
        name: 'removenode',
        descriptionKey: 'help.removenode',
        permission: 'everyone',
        params: [{ name: 'node_id', descriptionKey: 'help.removenode', required: true, maxLength: 128 }],
        discord: { group: 'nodes', name: 'remove' },
        handler: (ctx, args) => h.removenode(c(ctx), args),
      },
    ],
    // "Which network runs it?" answers: the id is `<node id> <network>`.
    buttons: [
      { action: 'w', permission: 'everyone', handler: (ctx, id) => h.addnode(c(ctx), { node_id: id }) },
      // "Prove I own it": the id is the io.net device id.
      { action: 'c', permission: 'everyone', handler: (ctx, id) => claimnode(c(ctx), { node_id: id }) },
    ],
  });
}
