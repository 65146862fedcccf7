// Every feature that keys data by user, beyond wallets and nodes (built into
// accounts/merge.ts): all of them move in the merge's one transaction. Their tables exist
// whether or not a feature is switched on, so the list does not depend on the config. Kept
// apart from compose.ts so a tool or test process can run a real merge without the bots.
import type { MergeParticipant } from '../accounts/merge';
import { moderationParticipant } from '../moderation/merge';
import { deliveryFailuresParticipant } from '../notifier/delivery/merge';
import { incidentsParticipant } from '../notifier/incidents/membership';
import { ticketsParticipant } from '../ticketing/merge';

export const userMergeParticipants: readonly MergeParticipant[] = [
  incidentsParticipant,
  ticketsParticipant,
  moderationParticipant,
  deliveryFailuresParticipant,
];
