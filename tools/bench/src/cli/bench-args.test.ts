import { describe, expect, it } from 'vitest';
import { MODE_DEFAULTS, SCENARIOS, commandLine, parseBenchArgs } from './bench-args.js';

describe('parseBenchArgs', () => {
  it('defaults to the full run with every scenario', () => {
    const args = parseBenchArgs([]);
    expect(args.quick).toBe(false);
    expect(args.connections).toBe(20_000);
    expect(args.only).toEqual([...SCENARIOS]);
    expect(args.rates).toEqual([...MODE_DEFAULTS.full.rates]);
    expect(args.writeDocs).toBe(true);
  });

  it('uses the small quick defaults, bounded under 3 minutes', () => {
    const args = parseBenchArgs(['--quick']);
    expect(args.quick).toBe(true);
    expect(args.connections).toBeLessThan(20_000);
    expect(args.budgetSec).toBeLessThan(180);
  });

  it('accepts pnpm\'s "--" separator and explicit values', () => {
    const args = parseBenchArgs([
      '--',
      '--quick',
      '--connections',
      '500',
      '--only',
      'redis,ws-raw',
      '--rates',
      '10,20',
      '--no-docs',
    ]);
    expect(args.connections).toBe(500);
    expect(args.only).toEqual(['redis', 'ws-raw']);
    expect(args.rates).toEqual([10, 20]);
    expect(args.writeDocs).toBe(false);
  });

  it.each([
    [['--connections', '0'], /--connections must be an integer/],
    [['--connections', '1e9'], /--connections must be an integer/],
    [['--connections', 'many'], /--connections must be an integer/],
    [['--budget', '5000'], /--budget must be an integer in 10\.\.1200/],
    [['--only', 'nope'], /unknown scenario "nope"/],
    [['--only', ','], /at least one scenario/],
    [['--rates', '100,50'], /must increase/],
    [['--rates', '100,abc'], /--rates must be an integer/],
    [['--rooms', '50', '--subscribers', '10'], /--subscribers must be >= --rooms/],
    [['--bogus'], /Unknown option/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});

describe('commandLine', () => {
  it('reproduces the invocation', () => {
    expect(commandLine([])).toBe('pnpm --filter @switchboard/bench bench');
    expect(commandLine(['--', '--quick'])).toBe(
      'pnpm --filter @switchboard/bench bench -- --quick',
    );
  });
});
