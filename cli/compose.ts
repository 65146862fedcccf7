// The composition root: builds every domain service once per process from the config.
import { IdentityService } from '../accounts/identity';
import { NodeService } from '../accounts/nodes';
import { DeviceNameChallenges } from '../accounts/node-claims';
import { DeviceScheduler } from '../notifier/sources/scheduler';
import { NODE_NETWORKS } from '../accounts/node-networks';
import { WalletLinkService } from '../accounts/wallets';
import type { Services } from '../bots/shared/services';
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import { RateLimit } from '../core/rate-limit';
import { DeliveryService } from '../notifier/delivery/service';
import { pacerFactory, type PacerFactory } from './pacers';
import { detachNode } from '../notifier/incidents/membership';
import { userMergeParticipants } from './merge-participants';
import { LivenessStore } from '../notifier/liveness/store';
import { notifierStores, type NotifierStores } from '../notifier/engine';
import { StatusService } from '../notifier/status';
import { AlertSettings } from '../notifier/alert-settings';
import { TokenIndex } from '../accounts/token-index';
import type { FeatureModule } from '../core/feature';
import type { ConversationPort } from '../core/conversation';
import { DialogueStore } from '../bots/shared/dialogues';
import { PacedConversation } from '../bots/shared/port';
import { FeatureRegistry } from '../bots/shared/registry';
import { Router } from '../bots/shared/router';
import { RoleResolver } from '../bots/shared/roles';
import { composeAssistant, type AssistantParts } from '../assistant/compose';
import { ticketHandoff } from '../assistant/handoff';
import { networkFigures } from '../assistant/points';
import { moderationRules } from '../moderation/config';
import { moderationFeature } from '../moderation/feature';
import { Moderation } from '../moderation/service';
import { createTicketing, type Ticketing } from '../ticketing';
import { Categories } from '../ticketing/categories';
import { ticketsFeature } from '../ticketing/feature';
import { settingsFromConfig } from '../ticketing/settings';
import { dashboardFeature } from '../dashboard/feature';
import type { DashboardDeps } from '../dashboard/deps';
import { DashboardStore } from '../dashboard/store';
import {
  builtinFeatures,
  enabledPlatforms,
  platformPorts,
  publicBaseUrl,
  staffAuditor,
} from './compose-parts';

export { builtinFeatures, enabledPlatforms, platformPorts, publicBaseUrl } from './compose-parts';

export interface AppServices {
  services: Services;
  delivery: DeliveryService;
  tokens: TokenIndex;
  liveness: LivenessStore;
  stores: NotifierStores;
  /** Every feature module, indexed; both adapters route through `router`. */
  router: Router;
  conversation: ConversationPort;
  assistant: AssistantParts;
  /** Fake-card reports and cases (moderation/): its workers start in the workers role. */
  moderation: Moderation;
  tickets: Ticketing;
  /** The staff dashboard's services (web/staff mounts it on the web role). */
  dashboard: { deps: DashboardDeps; sessionTtlSeconds: number };
}

export function composeServices(deps: {
  config: Config;
  db: Db;
  hub: QueueHub;
  logger: Logger;
  /** Extra feature modules (tests' toy features). */
  features?: FeatureModule[];
  /** Routing time per input (benchmarks). */
  observeRouting?: (input: 'command' | 'button' | 'modal' | 'text', ms: number) => void;
  /** The bot tokens' send budgets (cli/pacers.ts); tests pass time-scaled ones. */
  pacers?: PacerFactory;
}): AppServices {
  const { config, db, hub, logger } = deps;
  const pacerFor = deps.pacers ?? pacerFactory(hub.redis, hub.prefix);
  const base = new URL(publicBaseUrl(config));
  const delivery = new DeliveryService(db.prisma, hub, enabledPlatforms(config), db.pool);
  const tokens = new TokenIndex(db.prisma, hub.redis, hub.prefix);
  // One set of notifier stores per process, shared by the status views and the engine.
  const stores = notifierStores(hub);
  const liveness = stores.push;
  const services: Services = {
    identities: new IdentityService(db.prisma, db.pool),
    wallets: new WalletLinkService(
      db.prisma,
      { domain: base.host, uri: base.origin, mergeParticipants: userMergeParticipants },
      delivery,
    ),
    nodes: new NodeService(db.prisma, {
      pool: db.pool,
      tokenCache: tokens,
      ...(config.NODE_ID_PATTERN ? { idPattern: new RegExp(config.NODE_ID_PATTERN) } : {}),
    }),
    challenges: new DeviceNameChallenges(hub.redis, hub.prefix, (device) =>
      new DeviceScheduler(hub.redis, hub.prefix, 'ionet').bump(device),
    ),
    liveness,
    status: new StatusService(
      db.pool,
      liveness,
      stores.networkView,
      2 * config.HEARTBEAT_INTERVAL_SECONDS * 1000 + 5_000,
    ),
    alertSettings: new AlertSettings(db.prisma),
    onNodeUnlinked: async (nodeId) => {
      await liveness.forget(nodeId);
      await detachNode(db.pool, nodeId);
    },
    limits: {
      link: new RateLimit(hub.redis, { prefix: hub.prefix, name: 'link', points: 20, durationSeconds: 600 }),
      addnode: new RateLimit(hub.redis, {
        prefix: hub.prefix,
        name: 'addnode',
        points: 60,
        durationSeconds: 3600,
      }),
    },
    settings: {
      heartbeatUrl: `${base.origin}${base.pathname.replace(/\/$/, '')}/v1/heartbeats`,
      heartbeatIntervalSeconds: config.HEARTBEAT_INTERVAL_SECONDS,
      networks: [...NODE_NETWORKS, 'poll' as const].filter((n) => config.NODE_SOURCE.includes(n)),
      simulator: config.NODE_SOURCE.includes('simulator'),
      pollIntervalSeconds: config.POLL_INTERVAL_SECONDS,
    },
    logger,
    ...(config.TELEGRAM_BOT_TOKEN ? { telegramPacer: pacerFor('TELEGRAM', config.TELEGRAM_BOT_TOKEN) } : {}),
  };
  const { ports, roleSources } = platformPorts(config);
  const conversation = new PacedConversation(ports, hub.redis, hub.prefix, {
    ...(services.telegramPacer ? { TELEGRAM: services.telegramPacer } : {}),
    ...(config.DISCORD_TOKEN ? { DISCORD: pacerFor('DISCORD', config.DISCORD_TOKEN) } : {}),
  });
  const assistant = composeAssistant({
    config,
    db,
    hub,
    logger,
    figures: networkFigures(stores.networkView),
  });
  const tickets = createTicketing({
    prisma: db.prisma,
    pool: db.pool,
    hub,
    conversation,
    places: {
      ...(config.TELEGRAM_STAFF_CHAT_ID ? { telegramStaffChatId: config.TELEGRAM_STAFF_CHAT_ID } : {}),
      ...(config.DISCORD_SUPPORT_CHANNEL_ID
        ? { discordSupportChannelId: config.DISCORD_SUPPORT_CHANNEL_ID }
        : {}),
      discordSupportChannels: config.DISCORD_SUPPORT_CHANNELS,
      ...((config.TICKETS_LOG_CHANNEL_ID ?? config.DISCORD_MOD_CHANNEL_ID)
        ? { discordLogChannelId: (config.TICKETS_LOG_CHANNEL_ID ?? config.DISCORD_MOD_CHANNEL_ID)! }
        : {}),
    },
    status: services.status,
    categories: config.TICKETS_CATEGORIES_FILE
      ? Categories.fromFile(config.TICKETS_CATEGORIES_FILE)
      : new Categories(),
    settings: settingsFromConfig(config),
    home: config.TICKETS_HOME,
    logger,
  });
  const roles = new RoleResolver(roleSources, logger, config.STAFF_ROLE_CACHE_SECONDS * 1000);
  const sessionTtlSeconds = config.DASHBOARD_SESSION_HOURS * 3600;
  const dashboardStore = new DashboardStore(hub.redis, hub.prefix, sessionTtlSeconds);
  const auditStaff = staffAuditor(db.prisma);
  const moderation = new Moderation({
    prisma: db.prisma,
    pool: db.pool,
    hub,
    logger: logger.child({ part: 'moderation' }),
    messenger: delivery,
    validNodeId: (id) => services.nodes.validId(id),
    // "Escalate" on a case card and the owner's appeal open tickets with the case attached.
    escalator: tickets.escalator,
    ...moderationRules(config),
  });
  let registry: FeatureRegistry | null = null;
  registry = new FeatureRegistry([
    ...builtinFeatures(
      services,
      () => registry!,
      assistant,
      [moderationFeature({ moderation, prisma: db.prisma })],
      ticketHandoff(tickets),
    ),
    ticketsFeature(tickets, { rolesOf: (p, id) => roles.rolesOf(p, id) }),
    dashboardFeature({ store: dashboardStore, baseUrl: publicBaseUrl(config) }),
    ...(deps.features ?? []),
  ]);
  const router = new Router({
    registry,
    identities: services.identities,
    roles,
    dialogues: new DialogueStore(hub.redis, hub.prefix),
    conversation,
    ...(deps.observeRouting ? { observe: deps.observeRouting } : {}),
    audit: auditStaff,
    logger,
  });
  return {
    services,
    delivery,
    tokens,
    liveness,
    stores,
    router,
    conversation,
    assistant,
    moderation,
    tickets,
    dashboard: {
      sessionTtlSeconds,
      deps: {
        store: dashboardStore,
        roles,
        tickets,
        moderation,
        assistant: assistant.assistant,
        status: services.status,
        prisma: db.prisma,
        pool: db.pool,
        hub,
        audit: auditStaff,
        secureCookies: base.protocol === 'https:',
        logger: logger.child({ part: 'dashboard' }),
      },
    },
  };
}
