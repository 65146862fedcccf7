import { isAkashAddress, isSolanaPublicKey, networksForId } from '../../accounts/node-networks';
import { akashProvider, ionetDeviceId, nosanaNodeKey } from './ids';

describe('emulated network ids', () => {
  it('are recognised as their own network by /addnode', () => {
    for (let i = 0; i < 50; i++) {
      expect(networksForId(ionetDeviceId(`d${i}`))).toEqual(['ionet']);
      expect(isSolanaPublicKey(nosanaNodeKey(`n${i}`))).toBe(true);
      expect(isAkashAddress(akashProvider(`a${i}`))).toBe(true);
    }
    expect(akashProvider('x')).toBe(akashProvider('x'));
  });
});
