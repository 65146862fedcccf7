// The router's shapes (what adapters hand in, what they get back, what it depends on) and its
// small constants: shared by router.ts and router-context.ts, apart from the routing logic.
import crypto from 'node:crypto';
import type { Contact, IdentityRecord, IdentityService } from '../../accounts/identity';
import type { ConversationPort, MessageRef, Target } from '../../core/conversation';
import type { Args, InboundFile, ModalDecl, Origin, Outcome } from '../../core/feature';
import type { Locale } from '../../core/i18n';
import type { Logger } from '../../core/logger';
import type { DialogueStore } from './dialogues';
import type { FeatureRegistry } from './registry';
import type { RoleResolver, Roles } from './roles';

/** Longest message we process; Telegram's own limit is 4096, Discord's 2000-4000. */
export const MAX_INPUT_LENGTH = 4096;
export const DIALOGUE_TTL_SECONDS = 30 * 60;

export interface Inbound {
  contact: Contact;
  displayName: string;
  origin: Origin;
  here: Target;
  /** The message that carried a pressed button (or the user's own message for text). */
  message?: MessageRef;
  /** Discord: the member's role ids from the interaction, when it came from the guild. */
  memberRoleIds?: readonly string[];
  rawLength?: number;
  /** Files sent with the input (a captioned Telegram photo or document). */
  files?: InboundFile[];
  /** Discord: the guild the input came from (handed to features as `ctx.guildId`). */
  guildId?: string;
  /** Downloads one of `files` from the platform (handed to features as `ctx.fetchFile`). */
  fetchFile?: (file: InboundFile) => Promise<Buffer | null>;
}

export interface Routed {
  outcome: Outcome;
  locale: Locale;
  /** Set when the outcome is a Discord modal to show. */
  modal?: { decl: ModalDecl; customId: string; prefill?: Args };
}

export interface StaffAuditEntry {
  action: string;
  subjectType: string;
  subjectId: string;
  actorUserId: string;
  actorIdentityId: string;
  details?: Record<string, unknown>;
}

export interface RouterDeps {
  registry: FeatureRegistry;
  identities: Pick<IdentityService, 'ensure'>;
  roles: RoleResolver;
  dialogues: DialogueStore;
  conversation: ConversationPort;
  /** Writes one audit entry (the audit log), for every successful staff action. */
  audit: (entry: StaffAuditEntry) => Promise<void>;
  logger: Logger;
  /** Time spent routing one input, in ms (benchmarks; metrics). */
  observe?: (input: 'command' | 'button' | 'modal' | 'text', ms: number) => void;
}

export const newReference = () => crypto.randomBytes(4).toString('hex');

export interface Actor {
  identity: IdentityRecord;
  roles: Roles;
}
