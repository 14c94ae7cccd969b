// The restore's sfdisk script generated from the layout: the same table as the saved dump retargeted, for each policy.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { layoutFromTable } from '../../../imager/layout/build.js';
import { lastPartitionOf, sfdiskScript, type SizePolicy } from '../../../imager/layout/sfdisk-script.js';
import { parseSfdiskDump } from '../../../imager/parse/sfdisk.js';
import { retargetDump } from './retarget-oracle.js';

const fixture = (f: string) => readFile(new URL(`../../fixtures/${f}`, import.meta.url), 'utf8');
const target = { device: '/dev/sdz', partitionPath: (n: number) => `/dev/sdz${n}` };

for (const f of ['gpt', 'mbr']) {
  for (const policy of [{ kind: 'same-sizes' }, { kind: 'grow-last' }] as SizePolicy[]) {
    test(`${f} dump, ${policy.kind}: the generated script says what the retargeted dump says`, async (t) => {
      const dump = await fixture(`sfdisk/${f}.dump`);
      const table = parseSfdiskDump(dump);
      const last = lastPartitionOf(table)!;
      const old = retargetDump(dump, target, policy.kind === 'grow-last' ? { growNumber: last.number, ...(last.extended !== undefined ? { growExtended: last.extended } : {}) } : {});
      const script = sfdiskScript(layoutFromTable(table, 1 << 30).table!, target, policy);
      t.deepEqual(parseSfdiskDump(script), parseSfdiskDump(old));
      t.false(/last-lba/.test(script));
      t.regex(script, /^device: \/dev\/sdz$/m);
    });
  }
}

test('gpt: disk GUID, partition GUIDs, types and names kept; grow-last drops only the last size', async (t) => {
  const table = layoutFromTable(parseSfdiskDump(await fixture('sfdisk/gpt.dump')), 1 << 30).table!;
  const script = sfdiskScript(table, target, { kind: 'grow-last' });
  t.is(
    script,
    [
      'label: gpt',
      'label-id: 5E1F1B0A-7D7C-4E65-9A9B-1234567890AB',
      'device: /dev/sdz',
      'unit: sectors',
      'first-lba: 2048',
      'sector-size: 512',
      '',
      '/dev/sdz1 : start=2048, size=131072, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=11111111-2222-4333-8444-555555555501, name="EFI system"',
      '/dev/sdz2 : start=133120, size=409600, type=0FC63DAF-8483-4772-8E79-3D69E4779FBE, uuid=11111111-2222-4333-8444-555555555502, name="root"',
      '/dev/sdz3 : start=542720, size=614400, type=0FC63DAF-8483-4772-8E79-3D69E4779FBE, uuid=11111111-2222-4333-8444-555555555503, name="data"',
      '/dev/sdz4 : start=1157120, size=204800, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=11111111-2222-4333-8444-555555555504, name="windows"',
      '/dev/sdz5 : start=1361920, size=65536, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F, uuid=11111111-2222-4333-8444-555555555505, name="swap"',
      '/dev/sdz6 : start=1427456, type=0FC63DAF-8483-4772-8E79-3D69E4779FBE, uuid=11111111-2222-4333-8444-555555555506, name="raw"',
      '',
    ].join('\n'),
  );
});

test('mbr, grow-last: the last logical partition and its extended partition lose their sizes; the boot flag stays', async (t) => {
  const table = layoutFromTable(parseSfdiskDump(await fixture('sfdisk/mbr.dump')), 1 << 30).table!;
  const lines = sfdiskScript(table, target, { kind: 'grow-last' }).split('\n');
  t.true(lines.includes('label-id: 0x4c494645'));
  t.true(lines.includes('/dev/sdz1 : start=2048, size=245760, type=83, bootable'));
  t.true(lines.includes('/dev/sdz2 : start=247808, type=5'));
  t.true(lines.includes('/dev/sdz7 : start=581632, type=82'));
  t.true(lines.includes('/dev/sdz6 : start=456704, size=122880, type=7'));
});
