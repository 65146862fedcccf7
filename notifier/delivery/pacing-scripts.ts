// The Redis Lua scripts behind SendPacer (grant, settle, penalize) and their command typing:
// long string constants, kept out of pacing.ts so the pacer's logic reads on its own.
import type { Redis } from 'ioredis';

// KEYS: global TAT, global log, chat log, chat hold (a 429's retry_after), mark, then the
// guard: two stop keys and a read key; logs are sorted sets of sends scored by their time.
// ARGV: interval ms, slack ms (how late keeps the grid), global limit, global window ms, chat limit (0 = no chat
// rule), chat window ms, mark TTL s (0 = no mark), guard ('1' = on), the grant's member
// name (unique per grant), unsettled ms.
// The mark (delivery's "sending" flag) is set with the grant: no round trip between the
// token and the request, where a stall would bunch sends up at the platform. The guard
// (delivery's "sent" and "sending" flags, and its parts count) is read in the same step:
// one round trip per message instead of two.
// A grant returns the time until the next platform-wide token, so the next caller of the
// process asks then instead of asking at once and being told to wait (a round trip saved
// per token, which a loaded event loop would otherwise pay out of the platform's rate).
// Redis's own clock, so every process agrees on "now".
export const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
if ARGV[8] == '1' then
  if redis.call('EXISTS', KEYS[6]) == 1 then return {'stop', '0'} end
  if redis.call('EXISTS', KEYS[7]) == 1 then return {'stop', '1'} end
end
local hold = tonumber(redis.call('GET', KEYS[4]) or '0')
if hold > now then return {'chat', string.format('%.3f', hold - now)} end
local function logWait(key, limit, window)
  if limit <= 0 then return 0 end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) < limit then return 0 end
  local oldest = redis.call('ZREVRANGE', key, limit - 1, limit - 1, 'WITHSCORES')
  return tonumber(oldest[2]) + window - now
end
local chatLimit, chatWindow = tonumber(ARGV[5]), tonumber(ARGV[6])
local w = logWait(KEYS[3], chatLimit, chatWindow)
if w > 0 then return {'chat', string.format('%.3f', w)} end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
w = math.max(tat - now, logWait(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4])))
if w > 0 then return {'global', string.format('%.3f', w)} end
-- Late by at most the slack: the grid holds (missed tokens are caught up). Later than
-- that, the sender was idle: the grid restarts now, with no burst credit.
local nextTat = (tat >= now - tonumber(ARGV[2]) and tat or now) + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', 600000)
local at = string.format('%.3f', now + tonumber(ARGV[10]))
local function logPush(key, limit, window)
  if limit <= 0 then return end
  redis.call('ZADD', key, at, ARGV[9])
  redis.call('PEXPIRE', key, math.ceil(window) + 60000)
end
logPush(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
logPush(KEYS[3], chatLimit, chatWindow)
if ARGV[7] ~= '0' then redis.call('SET', KEYS[5], '1', 'EX', tonumber(ARGV[7])) end
local nextMs = math.max(nextTat - now, logWait(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4])))
local read = false
if ARGV[8] == '1' then read = redis.call('GET', KEYS[8]) end
return {'ok', string.format('%.3f', now), string.format('%.3f', nextMs), read or ''}
`;

// KEYS: global log, chat log. ARGV: the grant's member, its answer's date on Redis's
// clock (an upper bound, see settle). The send reached the platform before that date, and
// before now: it is dated by the earlier of the two (its provisional date may be earlier
// or later than either).
export const SETTLE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local at = math.min(now, tonumber(ARGV[2]))
for _, key in ipairs(KEYS) do
  if redis.call('ZSCORE', key, ARGV[1]) then redis.call('ZADD', key, string.format('%.3f', at), ARGV[1]) end
end
return 1
`;

// KEYS: global TAT, chat hold, recent 429 chats (zset). ARGV: ms, scope, chat id, spread.
// A 429 that does not say its scope (Telegram's never do) holds its chat; when several
// chats get one within a second, it is the platform's limit and everything pauses.
export const PENALIZE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local untilMs = now + tonumber(ARGV[1])
local scope = ARGV[2]
if scope ~= 'global' and ARGV[3] ~= '' then
  local hold = tonumber(redis.call('GET', KEYS[2]) or '0')
  if untilMs > hold then
    redis.call('SET', KEYS[2], string.format('%.3f', untilMs), 'PX', math.ceil(tonumber(ARGV[1])) + 1000)
  end
end
if scope == 'unknown' and ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[3], now, ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 1000)
  redis.call('PEXPIRE', KEYS[3], 2000)
  if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[4]) then scope = 'global' end
end
if scope == 'global' then
  local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
  if untilMs > tat then redis.call('SET', KEYS[1], string.format('%.3f', untilMs), 'PX', 600000) end
end
return scope
`;

export type WithPacing = Redis & {
  ndPaceAcquire(...args: Array<string | number>): Promise<[string, string, string?, string?]>;
  ndPacePenalize(...args: Array<string | number>): Promise<string>;
  ndPaceSettle(...args: Array<string | number>): Promise<number>;
};
