import { parseWalletAddress } from './wallet-address';

describe('wallet address parsing', () => {
  it.each([
    ['Solana', '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM', 'SOLANA'],
    ['EVM lower case', '0x52908400098527886e0f7030069857d2e4169ee7', 'EVM'],
    ['EVM checksummed', '0x52908400098527886E0F7030069857D2E4169EE7', 'EVM'],
    ['EVM EIP-55', '0x8617E340B3D01FA5F11F306F4090FD50E238070D', 'EVM'],
    ['EVM EIP-55 mixed', '0xde709f2102306220921060314715629080e2fb77', 'EVM'],
    ['EVM mixed valid', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', 'EVM'],
  ])('accepts %s', (_l, input, chain) => {
    const r = parseWalletAddress(` ${input} `);
    expect(r).toMatchObject({ ok: true, chain });
  });

  it('stores EVM addresses lower case and shows them checksummed', () => {
    const r = parseWalletAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed');
    expect(r).toEqual({
      ok: true,
      chain: 'EVM',
      address: '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed',
      display: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    });
  });

  it.each([
    ['', 'empty'],
    ['0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', 'evm_checksum'],
    ['0x1234', 'evm_format'],
    ['0xZZaeb6053f3e94c9b9a09f33669435e7ef1beaed', 'evm_format'],
    ['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', 'solana_length'],
    ['not-an-address!', 'unknown_format'],
    ['<b>&amp;</b>', 'unknown_format'],
  ])('refuses %p as %s', (input, error) => {
    expect(parseWalletAddress(input)).toEqual({ ok: false, error });
  });
});
