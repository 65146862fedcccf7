import { computePings, mentionsInContent } from './mentions';

const base = { canMentionEveryone: true, mentionableRoles: new Set<string>(), inGuild: true };
const U = '111111111111111111';
const R = '222222222222222222';

describe('computePings', () => {
  it('parses everything when allowed_mentions is absent, and pings the replied-to author', () => {
    expect(
      computePings({
        ...base,
        content: `@here <@${U}> <@&${R}>`,
        allowedMentions: undefined,
        repliedUserId: '333333333333333333',
      }),
    ).toEqual({
      everyone: true,
      roles: [R],
      users: [U, '333333333333333333'],
    });
  });

  it('pings nothing with parse: []', () => {
    expect(
      computePings({
        ...base,
        content: `@everyone <@!${U}> <@&${R}>`,
        allowedMentions: { parse: [] },
        repliedUserId: U,
      }),
    ).toEqual({ everyone: false, roles: [], users: [] });
  });

  it('limits users and roles to the listed ids and needs replied_user explicitly', () => {
    const pinged = computePings({
      ...base,
      content: `<@${U}> <@&${R}>`,
      allowedMentions: { users: [U], roles: [] },
      repliedUserId: '333333333333333333',
    });
    expect(pinged).toEqual({ everyone: false, roles: [], users: [U] });
  });

  it('needs MENTION_EVERYONE for @everyone and unmentionable roles', () => {
    const noPerm = { ...base, canMentionEveryone: false };
    expect(computePings({ ...noPerm, content: `@everyone <@&${R}>`, allowedMentions: undefined })).toEqual({
      everyone: false,
      roles: [],
      users: [],
    });
    expect(
      computePings({
        ...noPerm,
        mentionableRoles: new Set([R]),
        content: `<@&${R}>`,
        allowedMentions: undefined,
      }).roles,
    ).toEqual([R]);
  });

  it('finds mentions in content', () => {
    expect(mentionsInContent(`hi <@${U}> and <@!${U}> @everyone`)).toEqual({
      everyone: true,
      users: [U],
      roles: [],
    });
  });
});
