// The restore plan is pure: fake disks and images in, steps and refusals out.
import test from 'ava';
import { codecs } from '../../../imager/codec/codecs.js';
import type { Disk, Partition } from '../../../imager/disks/probe.js';
import { handlerForType } from '../../../imager/image/filesystems.js';
import type { Image } from '../../../imager/image/open.js';
import { planRestore } from '../../../imager/restore/plan.js';

const MiB = 1024 * 1024;

function disk(over: Partial<Disk> = {}, parts: Partial<Partition>[] = []): Disk {
  return {
    device: '/dev/sdb', name: 'sdb', majMin: '8:16', ids: [], model: 'Test', serial: undefined, wwn: undefined,
    sizeBytes: 1000 * MiB, logicalSectorSize: 512, physicalSectorSize: 512, removable: false, readOnly: false,
    transport: undefined, backingFile: undefined, table: undefined, tableType: 'none', inUse: false, liveMedium: false,
    partitions: parts.map((p, i) => ({
      number: i + 1, device: `/dev/sdb${i + 1}`, start: 2048, size: 1024, sizeBytes: 1024 * 512, type: '83', uuid: undefined, name: undefined,
      extended: false, fs: { type: undefined, uuid: undefined, label: undefined, version: undefined, usage: undefined, ptType: undefined, raw: {} },
      usedBytes: undefined, mountpoints: [], swapActive: false, ...p,
    })),
    ...over,
  };
}

function image(type: 'gpt' | 'dos' = 'dos'): Image {
  return {
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
  };
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
  t.regex(plan.refusals.join('\n'), /in use \(\/dev\/sdb1 on \/mnt\)/);
  t.regex(plan.refusals.join('\n'), /holds the image itself/);
  t.regex(plan.refusals.join('\n'), /booted from/);
  t.regex(plan.refusals.join('\n'), /read-only/);
  t.regex(plan.refusals.join('\n'), /too small/);
  t.regex(plan.refusals.join('\n'), /4096-byte sectors/);
});

test('boot-only: only boot code, hidden data and boot partitions; the target table must match', (t) => {
  const target = disk({ tableType: 'gpt' }, [{ start: 2048, size: 204800 }, { start: 206848, size: 409600 }]);
  const plan = planRestore({ image: image('gpt'), target, imageDisk: undefined }, { bootOnly: true, grow: false });
  t.deepEqual(plan.refusals, []);
  t.deepEqual(plan.steps.map((s) => s.kind), ['boot-code', 'hidden-data', 'partition']);
  t.like(plan.steps[0], { bytes: 440 });
  const moved = disk({ tableType: 'gpt' }, [{ start: 4096, size: 204800 }]);
  const refused = planRestore({ image: image('gpt'), target: moved, imageDisk: undefined }, { bootOnly: true, grow: false });
  t.regex(refused.refusals.join('\n'), /does not match the image's boot partition/);
  const other = planRestore({ image: image('gpt'), target: disk({ tableType: 'dos' }), imageDisk: undefined }, { bootOnly: true, grow: false });
  t.regex(other.refusals.join('\n'), /has a dos partition table, the image gpt/);
});
