import { decideNetwork, isAkashAddress, networksForId, splitNodeArgs } from './node-networks';

const UUID = '5acd1666-6cf7-4732-b98e-87af45e46da1';
const NOSANA = 'A246jFSWWQddPFUaYqxadJnVA3qbDSNDkwZNmWQ11EZs';
const AKASH = 'akash1ccktptfkvdc67msasmesuy5m7gpc76z75kukpz';

describe('node id recognition', () => {
  it('tells the networks apart by the id form', () => {
    expect(networksForId(UUID)).toEqual(['ionet']);
    expect(networksForId(UUID.toUpperCase())).toEqual([]); // io.net ids are lower-case
    expect(networksForId(NOSANA)).toEqual(['nosana']);
    expect(networksForId(AKASH)).toEqual(['akash']);
    expect(networksForId('rig-0001')).toEqual([]);
  });

  it('checks the Akash bech32 checksum and the Solana key length', () => {
    expect(isAkashAddress(AKASH)).toBe(true);
    expect(isAkashAddress(AKASH.slice(0, -1) + (AKASH.endsWith('z') ? 'q' : 'z'))).toBe(false);
    expect(networksForId('11111111111111111111111111111111111')).toEqual([]); // base58, not 32 bytes
  });

  it('decides who watches: one network, heartbeat only, or ask', () => {
    expect(decideNetwork(UUID, ['ionet', 'nosana'])).toEqual({ kind: 'network', network: 'ionet' });
    expect(decideNetwork(UUID, ['nosana'])).toEqual({ kind: 'none' });
    expect(decideNetwork(UUID, ['ionet', 'poll'])).toEqual({ kind: 'choose', options: ['ionet', 'poll'] });
    expect(decideNetwork(UUID, ['ionet', 'poll'], { requested: 'ionet' })).toEqual({
      kind: 'network',
      network: 'ionet',
    });
    expect(decideNetwork(UUID, ['ionet', 'poll'], { requested: 'poll' })).toEqual({ kind: 'none' });
    expect(decideNetwork(UUID, ['ionet', 'poll'], { known: true })).toEqual({ kind: 'none' });
    expect(decideNetwork(UUID, ['ionet'], { requested: 'akash' })).toEqual({
      kind: 'disabled',
      network: 'akash',
    });
    expect(decideNetwork(UUID, ['ionet', 'akash'], { requested: 'akash' })).toEqual({
      kind: 'mismatch',
      network: 'akash',
    });
    expect(decideNetwork(UUID, ['ionet'], { requested: 'heartbeat' })).toEqual({ kind: 'none' });
    expect(decideNetwork(NOSANA, ['nosana', 'akash'], { existing: 'nosana' })).toEqual({
      kind: 'network',
      network: 'nosana',
    });
  });

  it('reads the network from a second word (typed or from a button)', () => {
    expect(splitNodeArgs(`${UUID} ionet`)).toEqual({ id: UUID, network: 'ionet' });
    expect(splitNodeArgs(UUID, 'akash')).toEqual({ id: UUID, network: 'akash' });
    expect(splitNodeArgs(`  ${UUID}  `)).toEqual({ id: UUID });
  });
});
