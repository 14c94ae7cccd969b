import test from 'ava';
import type { Manifest, ManifestPartition } from '../../../imager/image/manifest.js';
import { notConfirmedNote, unreadableError, unreadableLines, unreadableWarning, withRescueFlag } from '../../../imager/rescue/partition.js';

const place = { name: 'sda2', device: '/dev/sda2', start: 2048, sectorSize: 512, fsType: 'ext4' };

test("partclone's rescue flag goes right after the tool", (t) => {
  t.deepEqual(withRescueFlag(['partclone.ext4', '-c', '-a0', '-s', '/dev/sda2', '-O', 'f']), ['partclone.ext4', '-R', '-c', '-a0', '-s', '/dev/sda2', '-O', 'f']);
});

test('the default stop: one line naming the partition and its first range, exit kind unreadable, the hint names --rescue', (t) => {
  const e = unreadableError(place, { offset: 4096, bytes: 8192 });
  t.is(e.kind, 'unreadable');
  t.is(e.message, '/dev/sda2 has unreadable sectors: the first unreadable range is sectors 2056-2071 of the disk (8192 bytes at byte 4096 of the partition); the backup stopped and left no image');
  t.regex(e.hint ?? '', /--rescue/);
  t.regex(unreadableError(place, undefined).message, /partclone names no sector in a raw copy/);
});

const partitions: ManifestPartition[] = [
  { number: 1, name: 'sda1', start: 2048, size: 100, type: 'L', action: 'partclone' },
  {
    number: 2, name: 'sda2', start: 4096, size: 100, type: 'L', action: 'partclone',
    unreadable: { ranges: [{ offset: 0, bytes: 512, firstSector: 4096, sectors: 1 }, { offset: 8192, bytes: 4096, firstSector: 4112, sectors: 8 }], bytes: 4608, filesKnown: true, files: ['/a', '/b c'] },
  },
  { number: 3, name: 'sda3', start: 8192, size: 100, type: 'L', action: 'raw', unreadable: { ranges: [{ offset: 0, bytes: 512, firstSector: 8192, sectors: 1 }], bytes: 512, filesKnown: false, note: 'Lifeboat cannot tell' } },
];

test('the unreadable parts in words: one line per partition, ranges in disk sectors, the files or why they are unknown', (t) => {
  t.deepEqual(unreadableLines(partitions), [
    'sda2: 4608 bytes unreadable in 2 ranges (disk sectors 4096, 4112-4119); files affected: /a, /b c',
    'sda3: 512 bytes unreadable in 1 range (disk sectors 8192); affected files unknown (Lifeboat cannot tell)',
  ]);
});

test("restore's note: only for such an image, for one partition when restoring one; a refusal repeats it", (t) => {
  const m = { state: 'complete-with-unreadable-sectors', partitions } as unknown as Manifest;
  const [w] = unreadableWarning(m);
  t.is(w?.code, 'unreadable-sectors');
  t.regex(w!.message, /^the image is complete, with unreadable sectors: sda2: .*; sda3: .*BADSECTOR filler$/);
  t.deepEqual(unreadableWarning({ ...m, state: 'complete' }), []);
  t.deepEqual(unreadableWarning(m, 'sda1'), []);
  t.regex(unreadableWarning(m, 'sda3')[0]!.message, /sda3: 512 bytes/);
  t.is(notConfirmedNote([w!]), ` (${w!.message})`);
  t.is(notConfirmedNote([]), '');
});
