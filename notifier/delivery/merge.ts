// Delivery failures take part in a user merge (accounts/merge.ts): staff read them by the
// person they were for (dashboard/fleet.ts names the user through their identities), so
// they follow the person to the surviving user instead of naming nobody.
import type { MergeParticipant } from '../../accounts/merge';

export const deliveryFailuresParticipant: MergeParticipant = {
  name: 'delivery-failures',
  merge: async ({ sql }, from, into) => {
    await sql.exec(`UPDATE delivery_failures SET user_id = $2::uuid WHERE user_id = $1::uuid`, [from, into]);
  },
};
