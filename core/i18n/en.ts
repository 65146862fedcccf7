// English catalog: the reference. Every key here must exist in every other catalog
// with the same {placeholders} (checked by the compiler and by i18n.test.ts).
export const en = {
  'lang.name': 'English',
  'start.welcome':
    'Welcome to nodedesk, {name}! I watch your GPU worker nodes and message you the moment one drops offline, answer points and TGE questions, and open support tickets.',
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
  'error.notAvailable': 'This feature is not available yet.',
  'button.help': 'Help',
  'button.english': 'English',
  'button.chinese': '中文',
} as const;

export type MessageKey = keyof typeof en;
