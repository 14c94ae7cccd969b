// Test helper: container headers written onto loop partitions without device-mapper or md (LVM PV/VG/LV, LUKS, md, BitLocker).
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { writeBytes } from '../../imager/boot/sectors.js';

/** LVM without udev, device-mapper or backup files on the host: metadata is written, nothing is activated. */
const lvmConfig = ['--config', 'activation{udev_sync=0} backup{backup=0 archive=0}'];
const lvmEnv = { LVM_SUPPRESS_FD_WARNINGS: '1' };

/** A PV on `device`, a VG `vg` on it and an 8 MiB LV `lv1` in it, never activated (lvcreate told there is no dm). */
export async function writeLvm(device: string, vg: string): Promise<void> {
  await execa('pvcreate', [...lvmConfig, device], { env: lvmEnv });
  await execa('vgcreate', [...lvmConfig, vg, device], { env: lvmEnv });
  await execa('lvcreate', ['--driverloaded', 'n', ...lvmConfig, '-an', '-Zn', '-L', '8M', '-n', 'lv1', vg], { env: lvmEnv });
}

/** Forgets a VG written by writeLvm (its PV label goes with the disk file). */
export async function removeLvm(vg: string): Promise<void> {
  await execa('vgremove', ['--driverloaded', 'n', ...lvmConfig, '-f', vg], { env: lvmEnv, reject: false });
}

/** A LUKS header (cheap key derivation; the key from a file, never on the command line). */
export async function writeLuks(device: string, type: 'luks1' | 'luks2', keyFile: string): Promise<void> {
  await execa('cryptsetup', ['luksFormat', '--type', type, '--batch-mode', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--key-file', keyFile, device]);
}

const uuidBytes = (u: string) => Buffer.from(u.replace(/-/g, ''), 'hex');

/**
 * An md v1.2 member superblock (4 KiB into the device) of a two-disk RAID1 array, written by hand because mdadm
 * cannot create an array without the kernel's md driver; blkid and `mdadm --examine` read it as a real one.
 */
export async function writeMdMember(device: string, arrayUuid: string, memberUuid: string, name: string): Promise<void> {
  const maxDev = 2;
  const sb = Buffer.alloc(512);
  sb.writeUInt32LE(0xa92b4efc, 0); // magic
  sb.writeUInt32LE(1, 4); // major version
  uuidBytes(arrayUuid).copy(sb, 16);
  sb.write(name, 32, 31, 'latin1');
  sb.writeUInt32LE(1, 72); // level: raid1
  sb.writeBigUInt64LE(40960n, 80); // array size (sectors)
  sb.writeUInt32LE(2, 92); // raid disks
  sb.writeBigUInt64LE(2048n, 128); // data offset
  sb.writeBigUInt64LE(40960n, 136); // data size
  sb.writeBigUInt64LE(8n, 144); // super offset: sector 8 (v1.2)
  uuidBytes(memberUuid).copy(sb, 168);
  sb.writeBigUInt64LE(1n, 200); // events
  sb.writeUInt32LE(maxDev, 220);
  sb.writeUInt16LE(0, 256);
  sb.writeUInt16LE(1, 258);
  let sum = 0n;
  for (let i = 0; i < 256 + maxDev * 2; i += 4) sum += BigInt(sb.readUInt32LE(i));
  sum = (sum & 0xffffffffn) + (sum >> 32n);
  sb.writeUInt32LE(Number(sum & 0xffffffffn), 216);
  await writeBytes(device, 4096, sb);
}

/** A BitLocker (Windows 7+) boot sector with '-FVE-FS-' at offset 3 and the FVE metadata block it points to. */
export async function writeBitLocker(device: string): Promise<void> {
  const boot = Buffer.alloc(512);
  Buffer.from([0xeb, 0x58, 0x90]).copy(boot, 0);
  boot.write('-FVE-FS-', 3, 'latin1');
  boot.writeBigUInt64LE(65536n, 176); // FVE metadata offset
  boot.writeUInt16LE(0xaa55, 510);
  const fve = Buffer.alloc(512);
  fve.write('-FVE-FS-', 0, 'latin1');
  fve.writeUInt16LE(64, 8);
  fve.writeUInt16LE(2, 10); // version
  await writeBytes(device, 0, boot);
  await writeBytes(device, 65536, fve);
}

export async function writeKeyFile(file: string): Promise<void> {
  await writeFile(file, Buffer.alloc(32, 7), { mode: 0o600 });
}
