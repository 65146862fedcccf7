// English catalog: the reference. Every key here must exist in every other catalog
// with the same {placeholders} (checked by the compiler and by i18n.test.ts).
import { assistantEn } from './assistant.en';
import { dashboardEn } from './dashboard.en';
import { moderationEn } from './moderation-en';
import { nodesEn } from './nodes.en';
import { ticketsEn } from './tickets.en';

export const en = {
  ...assistantEn,
  'lang.name': 'English',
  'start.welcome':
    'Welcome to nodedesk, {name}! I watch your GPU worker nodes and message you the moment one drops offline, and again when it is back.',
  'start.next': 'Start by linking your wallet: /link <wallet address>. Send /help for every command.',
  'help.title': 'Commands',
  'help.start': 'welcome and first steps',
  'help.help': 'this list',
  'help.lang': 'change language (en or zh)',
  'help.link': 'link a wallet: I send you a message to sign',
  'help.verify': 'finish linking with the signature',
  'help.wallets': 'your verified wallets',
  'help.addnode': 'watch a worker node',
  'help.nodes': 'your nodes and their state',
  'help.removenode': 'stop watching a node',
  'help.status': 'node status, uptime and open incident',
  'help.mute': 'silence alerts for a while (e.g. 2h) or off',
  'help.points': 'how points work, with your node history',
  'help.ask': 'ask a question (plain text works too)',
  'help.support': 'open a support ticket',
  'help.report': 'report a suspicious node (fake GPU)',
  'help.footer': 'Your language: {lang}. Change it with /lang en or /lang zh.',
  'lang.usage': 'Usage: /lang en or /lang zh',
  'lang.unknown': 'I do not know the language "{code}". Choose en (English) or zh (中文).',
  'lang.changed': 'Language set to English.',
  'error.internal': 'Sorry, something went wrong on our side. Please try again. Reference: {ref}',
  'error.unknownCommand': 'I do not know the command {command}. Send /help to see what I can do.',
  'error.tooLong': 'That message is too long ({length} characters). Please keep it under {max}.',
  'error.rateLimited': 'You are going a bit fast. Please wait {seconds} s and try again.',
  'private.sentToDm': 'I sent you the answer in a private chat.',
  'private.openDmFirst':
    'That answer is private. Open a chat with me (tap my name, then Start) and send the command there.',
  'error.notAvailable': 'This feature is not available yet.',
  'link.usage': 'Usage: /link <wallet address> (a Solana address or an EVM 0x address).',
  'link.invalid.empty': 'Please give a wallet address: /link <address>.',
  'link.invalid.evm_format':
    'That is not an EVM address: it must be 0x followed by 40 hexadecimal characters.',
  'link.invalid.evm_checksum':
    'That EVM address has a wrong checksum (mixed upper/lower case that does not match EIP-55). Copy it again from your wallet.',
  'link.invalid.solana_length': 'That is not a Solana address: it must decode to a 32-byte public key.',
  'link.invalid.unknown_format':
    'I do not recognise that address. Send a Solana address (base58) or an EVM address (0x…).',
  'link.challenge':
    'To prove you own {address}, sign the message below exactly as it is (copy the whole block), then send /verify <signature>. It expires in 10 minutes and works once.',
  'link.howto.solana':
    'How to sign: Phantom or Solflare → Settings → "Sign message", paste the text, copy the signature (base58). Command line: solana sign-offchain-message "<text>" with your keypair.',
  'link.howto.evm':
    'How to sign: MetaMask (or any wallet with personal_sign) → "Sign message" on a signing page such as etherscan.io/verifiedSignatures, paste the text, copy the 0x… signature.',
  'verify.usage': 'Usage: /verify <signature>. Send /link <wallet> first to get the message to sign.',
  'verify.no_challenge': 'There is no wallet waiting for a signature. Send /link <wallet> first.',
  'verify.expired':
    'That signing request has expired (they last 10 minutes). Send /link <wallet> again for a new message.',
  'verify.used': 'That signing request was already used. Send /link <wallet> again for a new message.',
  'verify.encoding.base58': 'That does not look like a Solana signature: it must be base58 text.',
  'verify.encoding.hex':
    'That does not look like an EVM signature: it must be 0x followed by hexadecimal characters.',
  'verify.length':
    'That signature has the wrong length: {got} bytes instead of {expected}. Copy the whole signature.',
  'verify.mismatch':
    'The signature does not match: it must be made by {address} over exactly the message I sent. Sign the whole block again with that wallet.',
  'verify.mismatch.recovered':
    'The signature does not match: it was made by {recovered}, not {address}, or over a different text. Sign exactly the message I sent with {address}.',
  'verify.linked': 'Wallet {address} is linked to your account.',
  'verify.already_linked': 'Wallet {address} was already yours; its proof is renewed.',
  'verify.merged':
    'Wallet {address} is linked. It already belonged to your account on another platform, so both accounts are now one: alerts can reach you on either.',
  'verify.taken_over': 'Wallet {address} is now linked to this account. Its former account has been told.',
  'wallet.takenOver':
    'Your wallet {address} was proven by another account with a fresh signature and is no longer linked to you. If this was not you, open a ticket with /support.',
  'wallets.none': 'You have no verified wallets yet. Link one with /link <wallet>.',
  'wallets.title': 'Your verified wallets',
  'wallets.item': '{chain} {address} (verified {date})',
  'wallets.footer': 'Remove one with /unlink <wallet>. Your nodes and their history stay.',
  'unlink.usage': 'Usage: /unlink <wallet address>',
  'unlink.done': 'Wallet {address} is no longer linked. Your nodes and their history are kept.',
  'unlink.not_yours': 'That wallet is not linked to your account.',
  'addnode.usage': 'Usage: /addnode <node id>',
  'addnode.invalid_id':
    'That node id is not valid: use the id shown by your network (a UUID, or 8-64 letters, digits, "_" or "-").',
  'addnode.limit':
    'You already watch {limit} nodes, the most one account can. Remove some with /removenode first.',
  'addnode.claimed_by_other':
    'Node {node} is already linked to another account. If it is yours, open a dispute ticket with /support and we will check it.',
  'addnode.by_wallet':
    'Node {node} is linked: the network reports it belongs to your verified wallet {wallet}. No token needed.',
  'addnode.token':
    'Node {node} is linked. Its heartbeat token is below: it is shown only this once, so store it now.',
  'addnode.token_rotated':
    'Node {node} was already yours. Here is a new heartbeat token (the old one no longer works). It is shown only this once.',
  'addnode.agent': 'Send a heartbeat every {interval} s from the node to {url}. A shell loop:',
  'addnode.systemd': 'Or as a systemd service (/etc/systemd/system/nodedesk-heartbeat.service):',
  'nodes.none': 'You are not watching any node yet. Add one with /addnode <node id>.',
  'nodes.title': 'Your nodes ({count})',
  'nodes.item': '{node} — {state}, last seen {lastSeen}',
  'nodes.never': 'never',
  'state.UNKNOWN': 'waiting for first heartbeat',
  'state.ONLINE': 'online',
  'state.SUSPECT': 'late',
  'state.OFFLINE': 'offline',
  'removenode.usage': 'Usage: /removenode <node id>',
  'removenode.done': 'Node {node} is no longer watched. Its token no longer works; its history is kept.',
  'removenode.not_yours': 'Node {node} is not one of your nodes.',
  'chain.SOLANA': 'Solana',
  'chain.EVM': 'EVM',
  'help.unlink': 'unlink one of your wallets',
  'alert.offline.title': '⚠️ {count} of your nodes went offline',
  'alert.offline.more': '⚠️ {count} more of your nodes went offline',
  'alert.offline.item': '{node} — last seen {lastSeen}',
  'alert.offline.still': 'Still offline from before: {nodes}',
  'alert.offline.remaining': '{online} of your {total} nodes are still online. Details: /status',
  'alert.reminder.title': '⏰ Still offline: {count} of your nodes',
  'alert.reminder.item': '{node} — offline for {duration}',
  'alert.recovered.title': '✅ Your nodes are back online',
  'alert.recovered.item': '{node} — back online after {duration} offline',
  'alert.flapping':
    '〰️ Node {node} is flapping: it went offline {count} times in {minutes} minutes. I will not alert about it again until it is stable for {stable} minutes.',
  'alert.muted.footer': 'Alerts are muted until {until}. Unmute with /mute off.',
  'staff.sourceDown':
    '🛑 The network API ({source}) has not answered since {since}: {error}. Offline alerts for nodes watched through it are paused until it answers again.',
  'staff.sourceUp': '✅ The network API ({source}) answers again; offline alerts for its nodes are back on.',
  'staff.ingestDown':
    '🛑 Heartbeat ingest is in doubt ({reason}). Nodes reporting by heartbeat are held as unknown: no offline alerts until it is healthy again.',
  'staff.ingestUp':
    '✅ Heartbeat ingest is healthy again; offline alerts for heartbeat nodes resume after one grace time.',
  'staff.redisRecovered':
    '♻️ Redis came back without its data. Liveness was rebuilt from the database ({nodes} nodes); offline alerts resume after one grace time.',
  'staff.livenessDeadLetter':
    '☠️ A status event for node {node} failed {tries} times and was set aside in the dead-letter stream. Error: {error}',
  'staff.livenessLag':
    '🐢 Status updates are {lag} events behind (warning at {threshold}); offline alerts are delayed. Add workers or check PostgreSQL.',
  'staff.livenessLagOk': '✅ Status updates have caught up ({lag} events behind).',
  'mute.usage': 'Usage: /mute <duration> (e.g. 30m, 2h, 1d) or /mute off.',
  'mute.invalid':
    'I did not understand "{input}". Use a duration such as 30m, 2h or 1d (at most 30d), or off.',
  'mute.on': 'Alerts are muted until {until}. Your node history is still recorded. /mute off to unmute.',
  'mute.off': 'Alerts are on again.',
  'mute.status.on': 'Alerts are muted until {until}.',
  'mute.status.off': 'Alerts are on.',
  'status.title': 'Node status',
  'status.none': 'You are not watching any node yet. Add one with /addnode <node id>.',
  'status.item': '{node} — {state} since {since}; uptime 24 h {up24}, 7 d {up7}',
  'status.incident': 'Open incident since {since}: {down} node(s) offline.',
  'status.noIncident': 'No open incident.',
  'status.flapping': '{node} is flapping; alerts about it are paused until it is stable.',
  'help.maintenance': 'silence one node for planned work (e.g. 2h) or off',
  'maintenance.usage': 'Usage: /maintenance <node id> <duration|off>, e.g. /maintenance rig-01 2h',
  'maintenance.on': 'Node {node} is in maintenance until {until}: no alerts about it, history still kept.',
  'maintenance.off': 'Node {node} is out of maintenance; alerts about it are on.',
  'status.uptimeUnknown': 'n/a',
  'button.help': 'Help',
  'button.english': 'English',
  'button.chinese': '中文',
  // Real networks (notifier/sources, accounts/node-networks).
  'help.addnode.network': 'which network watches it (only when its id fits several)',
  'network.ionet': 'io.net',
  'network.nosana': 'Nosana',
  'network.akash': 'Akash',
  'network.poll': 'the network API (poll)',
  'staff.sourceUnauthorized':
    '🔑 The network API ({source}) refuses our token since {since}: {error}. Its nodes are unknown (no offline alerts) until a valid token is configured.',
  'addnode.watch':
    'Node {node} is watched through {network}: you will be told when {network} reports it down. Nothing to install on the machine.',
  'addnode.watch.rewatch': 'Node {node} was already yours; {network} keeps watching it.',
  'addnode.watch.second':
    'Optional second view: a heartbeat agent on the machine catches what {network} misses. Its token (shown only this once):',
  'addnode.watch.proof':
    'You are watching it; to claim it as owned (tickets, points, disputes), run the heartbeat agent below or link the wallet {network} reports as its owner.',
  'addnode.choose': 'Node id {node} fits several networks. Which one runs it?',
  'addnode.choose.heartbeat': 'Heartbeat only',
  'addnode.mismatch': '{node} is not a {network} id. {network} ids look like: {form}.',
  'addnode.disabled':
    '{network} is not watched by this bot. Add the node without a network to use its heartbeat.',
  'addnode.form.ionet': 'a lower-case UUID (5acd1666-6cf7-4732-b98e-87af45e46da1)',
  'addnode.form.nosana': 'a base58 Solana public key',
  'addnode.form.akash': 'an akash1… address',
  'status.view.network': '{network} says: {state}{details}',
  'status.view.heartbeat': 'heartbeat: {state}, last {lastSeen}',
  'status.view.gpus': '{count}× {model}',
  'status.view.uptime': 'network uptime {uptime}',
  'status.view.earnings': 'earnings {amount} {unit}',
  'status.view.blocked': 'BLOCKED by the network',
  'status.view.powFailed': 'last proof-of-work failed',
  'status.view.antispoof': 'anti-spoof pass rate {rate}',
  'status.view.maintenance': ' (maintenance: no alerts)',
  'status.disagree.up': '⚠️ {node}: {network} says {state}; no heartbeat for {minutes} min.',
  'status.disagree.down': '⚠️ {node}: {network} says {state}, but its heartbeat arrived {minutes} min ago.',
  // Conversation layer (bots/shared): permissions, stale buttons, Telegram forms, /cancel.
  'error.forbidden.staff': 'This is for staff only. Nothing was changed.',
  'error.forbidden.moderator': 'This is for moderators only. Nothing was changed.',
  'error.staleButton': 'This button no longer works. Send the command again.',
  'help.cancel': 'stop the current questions',
  'dialogue.cancelled': 'Stopped. Nothing was sent.',
  'dialogue.none': 'There is nothing to stop.',
  'form.step': '{title} ({step}/{total}): {label}',
  'form.optional': 'Optional: send - to skip it.',
  'form.cancel': 'Send /cancel to stop.',
  'form.pick': 'Please choose one of the buttons above.',
  'form.file': 'Please send a photo or a document here (or - to skip if it is optional).',
  'form.required': 'Please write an answer, or send /cancel.',
  'form.tooShort': 'Please write at least {min} characters.',
  'form.tooLong': 'Please keep it under {max} characters.',
  ...moderationEn,
  ...ticketsEn,
  ...nodesEn,
  ...dashboardEn,
} as const;

export type MessageKey = keyof typeof en;
