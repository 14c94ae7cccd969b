import test from 'ava';
import { readFile } from 'node:fs/promises';
import { isExtended, parseSfdiskDump, parseSfdiskJson, partitionNumber } from '../../../imager/parse/sfdisk.js';

const fixture = (f: string) => readFile(new URL(`../../fixtures/sfdisk/${f}`, import.meta.url), 'utf8');

test('GPT from sfdisk --json', async (t) => {
  const table = parseSfdiskJson(await fixture('gpt.json'));
  t.is(table.type, 'gpt');
  t.is(table.id, '5E1F1B0A-7D7C-4E65-9A9B-1234567890AB');
  t.is(table.partitions.length, 6);
  t.like(table.partitions[0], { number: 1, start: 2048, size: 131072, type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', uuid: '11111111-2222-4333-8444-555555555501', name: 'EFI system' });
});

test('MBR with extended and logical partitions from sfdisk --json', async (t) => {
  const table = parseSfdiskJson(await fixture('mbr.json'));
  t.is(table.type, 'dos');
  t.deepEqual(table.partitions.map((p) => p.number), [1, 2, 5, 6, 7]);
  t.true(table.partitions[0]!.bootable);
  t.true(isExtended(table, table.partitions[1]!));
  t.false(isExtended(table, table.partitions[2]!));
});

test('the dump parses to the same table as the JSON', async (t) => {
  const fromDump = parseSfdiskDump(await fixture('gpt.dump'));
  const fromJson = parseSfdiskJson(await fixture('gpt.json'));
  t.deepEqual(
    fromDump.partitions.map(({ node: _n, ...p }) => p),
    fromJson.partitions.map(({ node: _n, ...p }) => p),
  );
  t.is(fromDump.id, fromJson.id);
  const mbr = parseSfdiskDump(await fixture('mbr.dump'));
  t.deepEqual(mbr.partitions.map((p) => [p.number, p.type]), [[1, '83'], [2, '5'], [5, '83'], [6, '7'], [7, '82']]);
});

test('partition numbers from kernel names', (t) => {
  t.is(partitionNumber('/dev/sda5'), 5);
  t.is(partitionNumber('/dev/nvme0n1p12'), 12);
  t.is(partitionNumber('loop2p1'), 1);
});

