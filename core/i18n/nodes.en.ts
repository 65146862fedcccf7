// Node watching and ownership proofs (bots/features/nodes, notifier/sources/device-claims.ts).
export const nodesEn = {
  'help.claimnode': 'prove you own an io.net device (a code in its device name)',
  'claimnode.usage': 'Usage: /claimnode <io.net device id>',
  'claimnode.only_ionet':
    'Proof by device name works for io.net devices (a lower-case UUID). For a Nosana node or an Akash provider, link the wallet the network reports with /link, or run the heartbeat agent.',
  'claimnode.code':
    'To prove io.net device {node} is yours, rename it so its name contains {code} (for example "my-rig {code}"). We read its name at the next poll, within about {minutes} min. The code works for 60 minutes; rename it back once we confirm.',
  'claimnode.already': 'Device {node} is already proven to be yours.',
  'claimnode.busy': 'Too many ownership checks are pending for {node}. Try again in an hour.',
  'claimnode.button': 'Prove I own it',
  'claimnode.proven':
    'Ownership proven: io.net device {node} carries your code in its name, so it is now yours (tickets, points and disputes). You can rename it back.',
  'claimnode.lost':
    'io.net device {node} was claimed by someone who put our code into its device name. You still watch it and get its alerts. If this is wrong, open a ticket with /support.',
  'addnode.watch.shared':
    'Someone else holds node {node}; you watch it too. {network} alerts about it go to you only. To claim it as yours: /claimnode {node}.',
  'addnode.watch.shared.again': 'You already watch {node} through {network}.',
  'addnode.watch.proof.ionet':
    'You are watching it; to claim it as owned (tickets, points, disputes), put a code into its io.net device name (/claimnode {node}) or run the heartbeat agent below.',
  'addnode.simulated':
    'Node {node} is a simulated node: the simulator (NODE_SOURCE=simulator) sends its heartbeats, so there is nothing to install or run.',
  'nodes.watching': '{node} (watching)',
} as const;
