// Assistant texts (answers, knowledge-base publishing, /points), spread into the English
// catalog: kept in their own file so parallel work on the main catalog merges cleanly.
export const assistantEn = {
  'assistant.askUsage': 'Ask me a question: /ask <your question>. Example: /ask when is the TGE?',
  'assistant.source': 'Source: {title} (updated {updated})',
  'assistant.fromOtherLanguage':
    'There is no English version of this entry yet; this answer is from the Chinese entry.',
  'assistant.unknown': "I don't know. The knowledge base does not answer that, and I will not guess.",
  'assistant.ticketOffer': 'A staff member can help: open a ticket and your question goes with it.',
  'assistant.ticketButton': 'Open a ticket',
  'assistant.reachStaff': 'To reach staff, send /support followed by your question.',
  'assistant.tooLong': 'Please keep your question under {max} characters.',
  'kb.usage':
    'Usage: /kb publish, then on the next lines one entry (front matter between --- lines, then the text); or /kb history <id>.',
  'kb.publish.created': 'Published {id} ({lang}) as version {version}. The next question uses it.',
  'kb.publish.notCurrent':
    'Saved {id} ({lang}) as version {version}, but version {current} has a newer "updated" date and stays in effect.',
  'kb.publish.unchanged':
    '{id} ({lang}) already has exactly this content (version {version}); nothing changed.',
  'kb.publish.invalid': 'Nothing was published. Please fix:',
  'kb.problem.no_front_matter':
    'The entry must start with a line "---", the fields (id, lang, title, updated, source, tags), and another "---" line.',
  'kb.problem.yaml': 'The front matter is not valid YAML: {detail}',
  'kb.problem.missing': 'Field "{field}" is missing.',
  'kb.problem.invalid': 'Field "{field}" is not valid: {hint}',
  'kb.problem.empty_body': 'The entry has no text after the front matter.',
  'kb.problem.duplicate': 'Another file has the same id and language ({detail}).',
  'kb.hint.id': 'a slug of lower-case letters, digits and "-", e.g. tge-status',
  'kb.hint.lang': 'en or zh',
  'kb.hint.title': 'one line of text',
  'kb.hint.updated': 'an ISO date, e.g. 2024-05-01',
  'kb.hint.source': 'a URL or "staff"',
  'kb.hint.tags': 'a list, e.g. [tge, launch]',
  'kb.hint.snapshots': 'a list of ISO date-times, e.g. [2024-04-20T00:00:00Z]',
  'kb.hint.other': 'see the file format',
  'kb.history.title': 'Versions of {id}',
  'kb.history.item': 'v{version} · {lang} · updated {updated} · by {by} · {at}{current}',
  'kb.history.current': ' · in effect',
  'kb.history.none': 'There is no entry with the id {id}.',
  'kb.history.import': 'import',
  'points.title': 'Your nodes',
  'points.node': '{node}: {day} (24 h) · {week} (7 d) · {season} (season)',
  'points.seasonSince': 'Season window: since {start}.',
  'points.seasonUnknown':
    'The season dates are not in the knowledge base, so "season" covers all the history nodedesk has.',
  'points.noNodes': 'You have no linked nodes yet. Add one with /addnode to see your own uptime here.',
  'points.snapshotMissed': '{node} was offline at the snapshot of {time}.',
  'points.snapshotsClean': 'None of your nodes was offline at a published snapshot.',
  'points.noSnapshots': 'No snapshot times are published in the knowledge base yet.',
  'points.figure': '{node}: {value} points, according to the network ({at}).',
  'points.explanation': 'What points depend on:',
} as const;
