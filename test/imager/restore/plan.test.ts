// The restore plan is pure: fake disks and images in, steps and refusals out.
import test from 'ava';
import { codecs } from '../../../imager/codec/codecs.js';
import { fakeDisk as disk } from '../../helpers/fake-disk.js';
import { handlerForType } from '../../../imager/fs/registry.js';
import type { Image } from '../../../imager/image/open.js';
import { describeRestorePlan, planRestore } from '../../../imager/restore/plan.js';
import { refusal, throwIfRefused, type Refusal } from '../../../imager/plan/refusals.js';
import { exitCodes, NoSpaceError, RefusedError } from '../../../core/errors.js';
import { layoutFromTable } from '../../../imager/layout/build.js';

const MiB = 1024 * 1024;
const words = (refusals: Refusal[]) => refusals.map((r) => r.message).join('\n');

function image(type: 'gpt' | 'dos' = 'dos'): Image {
  const img: Omit<Image, 'layout'> = {
    dir: '/store/img', origin: 'lifeboat', manifest: undefined, diskName: 'sda',
    table: {
      type, id: '0x1', sectorSize: 512, firstLba: undefined, lastLba: undefined,
      partitions: [
        { number: 1, node: '/dev/sda1', start: 2048, size: 204800, type: type === 'gpt' ? 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B' : '83', uuid: undefined, name: undefined, attrs: undefined, bootable: true },
        { number: 2, node: '/dev/sda2', start: 206848, size: 409600, type: '83', uuid: undefined, name: undefined, attrs: undefined, bootable: false },
      ],
    },
    tableDump: '', codec: codecs.zstd,
    partitions: [
      { number: 1, name: 'sda1', action: 'partclone', handler: handlerForType('vfat'), files: ['/store/img/sda1.vfat-ptcl-img.zst'], fsType: 'vfat', fsLabel: undefined, fsUuid: undefined, imageBytes: 10, start: 2048 },
      { number: 2, name: 'sda2', action: 'partclone', handler: handlerForType('ext4'), files: ['/store/img/sda2.ext4-ptcl-img.zst'], fsType: 'ext4', fsLabel: undefined, fsUuid: undefined, imageBytes: 20, start: 206848 },
    ],
    requiredBytes: 616448 * 512, files: { mbr: '/store/img/sda-mbr', hiddenDataAfterMbr: '/store/img/sda-hidden-data-after-mbr' },
    bootPartitions: type === 'gpt' ? [1] : [],
    lvm: [],
  };
  return { ...img, layout: layoutFromTable(img.table, img.requiredBytes) };
}

test('a full restore: table, boot code, hidden data, every partition, in that order', (t) => {
  const plan = planRestore({ image: image(), target: disk(), imageDisk: 'sda' }, { bootOnly: false, grow: false });
  t.deepEqual(plan.refusals, []);
  t.deepEqual(plan.steps.map((s) => s.kind), ['table', 'boot-code', 'hidden-data', 'partition', 'partition']);
  t.is(plan.steps[3]!.kind === 'partition' && plan.steps[3]!.target, '/dev/sdb1');
});

test('grow adds a last step for the last partition and its filesystem', (t) => {
  const plan = planRestore({ image: image(), target: disk(), imageDisk: undefined }, { bootOnly: false, grow: true });
  const grow = plan.steps.at(-1)!;
  t.like(grow, { kind: 'grow', number: 2, target: '/dev/sdb2', fsType: 'ext4' });
});

test('refusals: in use, holds the image, live medium, read-only, too small, other sector size', (t) => {
  const target = disk({ inUse: true, liveMedium: true, readOnly: true, sizeBytes: 100 * MiB, logicalSectorSize: 4096 }, [{ mountpoints: ['/mnt'] }]);
  const plan = planRestore({ image: image(), target, imageDisk: 'sdb' }, { bootOnly: false, grow: false });
  t.is(plan.refusals.length, 6);
  t.regex(words(plan.refusals), /in use \(\/dev\/sdb1 on \/mnt\)/);
  t.regex(words(plan.refusals), /holds the image itself/);
  t.regex(words(plan.refusals), /booted from/);
  t.regex(words(plan.refusals), /read-only/);
  t.regex(words(plan.refusals), /too small/);
  t.regex(words(plan.refusals), /4096-byte sectors/);
  t.deepEqual(plan.refusals.map((r) => r.code), ['in-use', 'holds-image', 'live-medium', 'read-only', 'sector-size', 'too-small'], 'each refusal has its code');
});

test('boot-only: only boot code, hidden data and boot partitions; the target table must match', (t) => {
  const target = disk({ tableType: 'gpt' }, [{ start: 2048, size: 204800 }, { start: 206848, size: 409600 }]);
  const plan = planRestore({ image: image('gpt'), target, imageDisk: undefined }, { bootOnly: true, grow: false });
  t.deepEqual(plan.refusals, []);
  t.deepEqual(plan.steps.map((s) => s.kind), ['boot-code', 'hidden-data', 'partition']);
  t.like(plan.steps[0], { bytes: 440 });
  const moved = disk({ tableType: 'gpt' }, [{ start: 4096, size: 204800 }]);
  const refused = planRestore({ image: image('gpt'), target: moved, imageDisk: undefined }, { bootOnly: true, grow: false });
  t.regex(words(refused.refusals), /does not match the image's boot partition/);
  const other = planRestore({ image: image('gpt'), target: disk({ tableType: 'dos' }), imageDisk: undefined }, { bootOnly: true, grow: false });
  t.regex(words(other.refusals), /has a dos partition table, the image gpt/);
  t.deepEqual(refused.refusals.map((r) => r.code), ['boot-partition-mismatch']);
  t.true(other.refusals.some((r) => r.code === 'table-type'));
});

test('a larger GPT target: the note has a code, and its --grow hint is separate from the message', (t) => {
  const plan = planRestore({ image: image('gpt'), target: disk({ sizeBytes: 2048 * MiB }), imageDisk: undefined }, { bootOnly: false, grow: false });
  t.deepEqual(plan.warnings, [{ code: 'gpt-backup-moves', message: 'the target is larger than the source: the GPT backup header moves to its end', hint: '--grow would also extend the last partition' }]);
  t.true(describeRestorePlan(plan).includes('  note: the target is larger than the source: the GPT backup header moves to its end; --grow would also extend the last partition'), 'the CLI says it in the same words as before');
});

test('throwIfRefused: the first refusal is the message, the others the hint; no space is its own kind (exit 6)', (t) => {
  t.notThrows(() => throwIfRefused([]));
  const e = t.throws(() => throwIfRefused([refusal('in-use', 'A'), refusal('too-small', 'B'), refusal('read-only', 'C')]));
  t.true(e instanceof RefusedError);
  t.is(e!.message, 'A');
  t.is((e as RefusedError).hint, 'B; C');
  const full = t.throws(() => throwIfRefused([refusal('no-space', 'not enough free space', 'free space on the store, or choose another one')]));
  t.true(full instanceof NoSpaceError);
  t.is(exitCodes[(full as NoSpaceError).kind], 6);
  t.is((full as NoSpaceError).hint, 'free space on the store, or choose another one');
});

test('shrink: a smaller target gets the new layout, the ESP kept and ext4 staged; without used bytes or staging room it is refused', (t) => {
  const img = image('gpt');
  const withUsed = { ...img, manifest: { partitions: [{ number: 2, name: 'sda2', usedBytes: 20 * MiB }] } as unknown as Image['manifest'] };
  const target = disk({ sizeBytes: 250 * MiB });
  const staging = [{ dir: '/store', where: 'store' as const, freeBytes: 10_000 * MiB }];
  const plan = planRestore({ image: withUsed, target, imageDisk: undefined, staging }, { bootOnly: false, grow: false, shrink: true });
  t.deepEqual(plan.refusals, []);
  t.deepEqual(plan.steps.map((s) => s.kind), ['table', 'boot-code', 'hidden-data', 'partition', 'shrink']);
  t.like(plan.steps[4], { kind: 'shrink', fsType: 'ext4', target: '/dev/sdb2', oldBytes: 200 * MiB, stagingDir: '/store' });
  const words = describeRestorePlan(plan).join('\n');
  t.regex(words, /sda1 \(vfat\): 100 MiB -> 100 MiB, keeps its size: boot or firmware partition/);
  t.regex(words, /sda2 \(ext4\): 200 MiB -> \d+ MiB, e2fsck -f and resize2fs/);
  t.regex(words, /Staging: up to 104 MiB of sparse files in \/store \(the store's filesystem/);

  const noRoom = planRestore({ image: withUsed, target, imageDisk: undefined, staging: [{ dir: '/tmp', where: 'tmp', freeBytes: MiB }] }, { bootOnly: false, grow: false, shrink: true });
  t.deepEqual(noRoom.refusals.map((r) => r.code), ['no-staging-space']);
  const unknown = planRestore({ image: img, target, imageDisk: undefined, staging }, { bootOnly: false, grow: false, shrink: true });
  t.deepEqual(unknown.refusals.map((r) => r.code), ['too-small-for-data']);
  t.regex(unknown.refusals[0]!.message, /need \d+ bytes .* has 262144000 bytes/);
  const plain = planRestore({ image: withUsed, target, imageDisk: undefined }, { bootOnly: false, grow: false });
  t.deepEqual(plain.refusals.map((r) => r.code), ['too-small']);
  t.regex(plain.refusals[0]!.hint ?? '', /--shrink/);
});
