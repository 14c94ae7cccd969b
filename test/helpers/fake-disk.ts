// Test helper: a probed disk as plain data (the shape probeDisk returns), for the pure planners' tests.
import type { Disk, Partition } from '../../imager/disks/probe.js';

const MiB = 1024 * 1024;

/** A 1000 MiB disk /dev/sdb with the given fields and partitions (numbered 1, 2, … unless given). */
export function fakeDisk(over: Partial<Disk> = {}, parts: Partial<Partition>[] = []): Disk {
  return {
    device: '/dev/sdb', name: 'sdb', majMin: '8:16', ids: [], model: 'Test', serial: undefined, wwn: undefined,
    sizeBytes: 1000 * MiB, logicalSectorSize: 512, physicalSectorSize: 512, removable: false, readOnly: false,
    transport: undefined, backingFile: undefined, table: undefined, tableType: 'none', inUse: false, liveMedium: false,
    layout: { sizeBytes: 1000 * MiB, logicalSectorSize: 512 },
    partitions: parts.map((p, i) => ({
      number: i + 1, device: `/dev/sdb${i + 1}`, start: 2048, size: 1024, sizeBytes: 1024 * 512, type: '83', uuid: undefined, name: undefined,
      extended: false, fs: { type: undefined, uuid: undefined, label: undefined, version: undefined, usage: undefined, ptType: undefined, raw: {} },
      usedBytes: undefined, mountpoints: [], swapActive: false, ...p,
    })),
    ...over,
  };
}
