// Telegram staff: members of TELEGRAM_STAFF_CHAT_ID (getChatMember); administrators are moderators.
import { Api, GrammyError } from 'grammy';
import { telegramRoleSource, type RoleSource } from '../shared/roles';

export function telegramRoles(token: string, apiRoot: string, staffChatId: string): RoleSource {
  const api = new Api(token, { apiRoot, timeoutSeconds: 10 });
  return telegramRoleSource(async (userId) => {
    try {
      return await api.getChatMember(staffChatId, Number(userId));
    } catch (err) {
      // "user not found" / "member not found": not in the staff chat.
      if (err instanceof GrammyError && err.error_code === 400) return { status: 'left' as const };
      throw err;
    }
  });
}
