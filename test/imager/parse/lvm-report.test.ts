// parse/lvm-report.ts on LVM's real JSON reports (test/fixtures/lvm/) and on the lv_attr kinds that decide how an LV is imaged.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { lvRole, parseLvReport, parsePvReport } from '../../../imager/parse/lvm-report.js';

const fixture = (f: string) => readFile(new URL(`../../fixtures/lvm/${f}`, import.meta.url), 'utf8');

test('pvs: device, PV UUID, VG name and UUID', async (t) => {
  t.deepEqual(parsePvReport(await fixture('pvs.json')), [{ device: '/dev/loop0', pvUuid: 'FpU6Hz-06i4-1gog-WLJ7-vgvl-SxAu-pQI0zZ', vgName: 'lbcap0', vgUuid: '8fQE9I-Kw8t-1BSl-pE1c-nrM8-hB70-e8rWu0' }]);
});

test('lvs: names, sizes in bytes, plain LVs, paths; inactive without device-mapper', async (t) => {
  const lvs = parseLvReport(await fixture('lvs.json'));
  t.deepEqual(lvs.map((l) => [l.name, l.sizeBytes, l.role, l.dmPath, l.path, l.active]), [
    ['home', 125829120, 'plain', '/dev/mapper/lbcap0-home', '/dev/lbcap0/home', false],
    ['root', 104857600, 'plain', '/dev/mapper/lbcap0-root', '/dev/lbcap0/root', false],
    ['swap', 16777216, 'plain', '/dev/mapper/lbcap0-swap', '/dev/lbcap0/swap', false],
  ]);
  t.is(lvs[0]!.uuid, 'HCUOnl-ETxl-FRcM-G0NF-xEIe-U34k-7XIx60');
});

test('lvs: thin pool, thin volume, origin and snapshot are told apart; active from lv_active', async (t) => {
  const lvs = parseLvReport(await fixture('lvs-thin-snapshot.json'));
  t.deepEqual(lvs.map((l) => [l.name, l.role, l.pool, l.origin, l.active]), [
    ['pool', 'thin-pool', undefined, undefined, true],
    ['thin1', 'thin', 'pool', undefined, true],
    ['root', 'origin', undefined, undefined, true],
    ['snap', 'snapshot', undefined, 'root', true],
  ]);
});

test('lv_attr kinds: mirror, RAID, cache and the like are "other"', (t) => {
  t.is(lvRole('-wi-a-----'), 'plain');
  t.is(lvRole('rwi-a-r---'), 'other');
  t.is(lvRole('Cwi-a-C---'), 'other');
  t.is(lvRole(''), 'other');
});

test('text before the JSON (a warning LVM printed on stdout) is skipped; an empty report is no rows', (t) => {
  t.deepEqual(parsePvReport('  WARNING: something\n{"report":[{"pv":[]}]}'), []);
  t.deepEqual(parseLvReport(''), []);
});
