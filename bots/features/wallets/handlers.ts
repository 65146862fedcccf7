// /link, /verify, /wallets, /unlink: call the wallet service and say the outcome.
import { t } from '../../../core/i18n';
import type { CommandContext } from '../context';
import { say } from '../say';
import { code, list, reply, text, title, type Reply } from '../../../core/reply';

async function limited(ctx: CommandContext): Promise<Reply | null> {
  const res = await ctx.services.limits.link.consume(ctx.identity.userId);
  return res.ok ? null : say(ctx, t(ctx.locale, 'error.rateLimited', { seconds: res.retryAfterSeconds }));
}

/** The argument, trimmed; or the usage text when it is missing, or the rate-limit note. */
async function argument(
  ctx: CommandContext,
  raw: string | undefined,
  usage: 'link.usage' | 'verify.usage',
): Promise<{ value: string } | { say: Reply }> {
  const value = (raw ?? '').trim();
  if (!value) return { say: say(ctx, t(ctx.locale, usage)) };
  const blocked = await limited(ctx);
  return blocked ? { say: blocked } : { value };
}

export async function link(ctx: CommandContext, args: Record<string, string>): Promise<Reply> {
  const arg = await argument(ctx, args.wallet, 'link.usage');
  if ('say' in arg) return arg.say;
  const input = arg.value;
  const res = await ctx.services.wallets.start(ctx.identity, input);
  if (!res.ok) return say(ctx, t(ctx.locale, `link.invalid.${res.error}`));
  return reply(
    [
      text(t(ctx.locale, 'link.challenge', { address: res.address })),
      code(res.message),
      text(t(ctx.locale, res.chain === 'SOLANA' ? 'link.howto.solana' : 'link.howto.evm')),
    ],
    { private: true },
  );
}

export async function verify(ctx: CommandContext, args: Record<string, string>): Promise<Reply> {
  const arg = await argument(ctx, args.signature, 'verify.usage');
  if ('say' in arg) return arg.say;
  const signature = arg.value;
  const res = await ctx.services.wallets.verify(ctx.identity, signature);
  if (res.ok) return say(ctx, t(ctx.locale, `verify.${res.outcome}`, { address: res.address }));
  switch (res.error) {
    case 'no_challenge':
    case 'expired':
    case 'used':
      return say(ctx, t(ctx.locale, `verify.${res.error}`));
    case 'encoding':
      return say(
        ctx,
        t(ctx.locale, res.expected === 'base58' ? 'verify.encoding.base58' : 'verify.encoding.hex'),
      );
    case 'length':
      return say(ctx, t(ctx.locale, 'verify.length', { got: res.gotBytes, expected: res.expectedBytes }));
    case 'mismatch':
      return res.recoveredAddress
        ? say(
            ctx,
            t(ctx.locale, 'verify.mismatch.recovered', {
              recovered: res.recoveredAddress,
              address: res.address,
            }),
          )
        : say(ctx, t(ctx.locale, 'verify.mismatch', { address: res.address }));
  }
}

export async function wallets(ctx: CommandContext): Promise<Reply> {
  const rows = await ctx.services.wallets.list(ctx.identity.userId);
  if (rows.length === 0) return say(ctx, t(ctx.locale, 'wallets.none'));
  return reply(
    [
      title(t(ctx.locale, 'wallets.title')),
      list(
        rows.map((w) =>
          t(ctx.locale, 'wallets.item', {
            chain: t(ctx.locale, `chain.${w.chain}`),
            address: w.address,
            date: w.verifiedAt.toISOString().slice(0, 10),
          }),
        ),
      ),
      text(t(ctx.locale, 'wallets.footer')),
    ],
    { private: true },
  );
}

export async function unlink(ctx: CommandContext, args: Record<string, string>): Promise<Reply> {
  const input = (args.wallet ?? '').trim();
  if (!input) return say(ctx, t(ctx.locale, 'unlink.usage'));
  const res = await ctx.services.wallets.unlink(ctx.identity, input);
  if (res.ok) return say(ctx, t(ctx.locale, 'unlink.done', { address: res.address }));
  if (res.error === 'not_yours') return say(ctx, t(ctx.locale, 'unlink.not_yours'));
  return say(ctx, t(ctx.locale, `link.invalid.${res.error}`));
}
