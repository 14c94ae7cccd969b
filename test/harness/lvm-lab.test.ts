// Slow suite (guest lab, one boot of the ISO under test): LVM. A disk with an ESP, /boot and a PV holding vg0/root
// (ext4), vg0/home (xfs) and vg0/swap is backed up by `lifeboat backup` in the guest, in Clonezilla's LVM layout
// (lvm_vg_dev.list, lvm_logv.list, lvm_vg0.conf, vg0-root.ext4-ptcl-img.zst, vg0-home.xfs-ptcl-img.zst,
// swappt-vg0-swap.info), and restored onto a blank disk: files, filesystem UUIDs and labels, partition GUIDs, VG
// and LV names and sizes, the VG and PV UUIDs are the source's. A restore while the source's vg0 is still attached
// is refused (exit 4, one line) and writes nothing. Device-mapper exists only in the guest (not on this host).
// Needs root, qemu-system-x86 and the ISO (see test/builder/iso-under-test.ts); LIFEBOAT_SKIP_ISO_BOOT=1 skips it.
import test from 'ava';
import { execa } from 'execa';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { kernelParams } from '../../builder/boot/kernel-params.js';
import { defaultIsoConfig } from '../../iso-config/load.js';
import { extractKernel } from '../../harness/extract-kernel.js';
import { runLab, type LabResult } from '../../harness/lab.js';
import { isoUnderTest, skipIsoBoot } from '../builder/iso-under-test.js';
import { makeSparse, tempDir } from '../helpers/loop.js';

const config = defaultIsoConfig();
const entry = config.boot.entries.find((e) => e.id === config.boot.default) ?? config.boot.entries[0]!;
const marker = `LIFEBOAT-READY node=v${config.node.version}`;
const MiB = 1024 * 1024;

let dir = '';
let result: LabResult | undefined;

/** Facts of a disk laid out as the source (partitions 1, 2 and vg0 on 3), free of device names, and each filesystem's file checksums. */
const facts = String.raw`
facts() { # $1: disk, $2: prefix in $OUT
  local d=$1 o=$OUT/$2
  {
    for p in 1 2; do echo "part$p $(blkid -p -o value -s TYPE $d$p) $(blkid -p -o value -s UUID $d$p) $(blkid -p -o value -s LABEL $d$p || true)"; done
    echo "table $(sfdisk --dump $d | grep -v '^device:' | sed "s#$d#DISK#g" | sha256sum | cut -c1-16)"
    echo "pv $(pvs --noheadings -o pv_uuid,vg_name,vg_uuid $d"3" | xargs)"
    lvs --noheadings --units b --nosuffix -o vg_name,lv_name,lv_uuid,lv_size,lv_attr vg0 | xargs -L1 echo lv
    for lv in root home swap; do echo "fs $lv $(blkid -p -o value -s TYPE /dev/mapper/vg0-$lv) $(blkid -p -o value -s UUID /dev/mapper/vg0-$lv) $(blkid -p -o value -s LABEL /dev/mapper/vg0-$lv)"; done
  } >"$o-facts"
  mkdir -p /mnt/f
  for dev in "$d"1 "$d"2 /dev/mapper/vg0-root /dev/mapper/vg0-home; do
    mount -o ro "$dev" /mnt/f
    (cd /mnt/f && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$o-sums-$(basename $dev)"
    umount /mnt/f
  done
}
`;

const lvmScript = String.raw`
${facts}
export LIFEBOAT_DEBUG=1
# A failing step shows its stderr in the scenario's log.
must() { local err=$1; shift; "$@" 2>"$err" || { local rc=$?; cat "$err"; echo "FAILED ($rc): $*"; exit $rc; }; }
udevadm settle
# The source: ESP, /boot, and a PV with vg0 (root ext4, home xfs, swap).
printf 'label: gpt\nsize=32M, type=U, name=esp\nsize=64M, type=L, name=boot\ntype=E6D6D379-F507-44C2-A23C-238F2A3DF928, name=lvm\n' | sfdisk -q /dev/vda
udevadm settle
mkfs.vfat -n ESP /dev/vda1 >/dev/null
mkfs.ext4 -q -L boot /dev/vda2
pvcreate -q /dev/vda3
vgcreate -q vg0 /dev/vda3
lvcreate -q -y -L 160M -n root vg0
lvcreate -q -y -L 320M -n home vg0
lvcreate -q -y -L 32M -n swap vg0
udevadm settle
mkfs.ext4 -q -L root /dev/mapper/vg0-root
mkfs.xfs -q -L home /dev/mapper/vg0-home
mkswap -L swap0 /dev/mapper/vg0-swap >/dev/null
mkdir -p /mnt/s
for dev in /dev/vda1 /dev/vda2 /dev/mapper/vg0-root /dev/mapper/vg0-home; do
  mount "$dev" /mnt/s
  echo "hello from $dev" >/mnt/s/hello.txt
  mkdir -p /mnt/s/dir/sub && seq 1 5000 >/mnt/s/dir/sub/numbers
  umount /mnt/s
done
mount /dev/mapper/vg0-root /mnt/s && head -c 12M /dev/urandom >/mnt/s/random.bin && umount /mnt/s
mount /dev/mapper/vg0-home /mnt/s && head -c 12M /dev/urandom >/mnt/s/random.bin && umount /mnt/s
facts /dev/vda src
# The tree with vg0 active, then inactive: the backup activates it itself and deactivates it after.
lifeboat disks >"$OUT/disks.txt"
lifeboat disks --json >"$OUT/disks.json"
vgchange -an vg0 >/dev/null
mkdir -p /mnt/store && mount /dev/vdc /mnt/store
must "$OUT/dry-run.err" lifeboat backup /dev/vda /mnt/store/img --dry-run >"$OUT/dry-run.txt"
must "$OUT/backup.err" lifeboat backup /dev/vda /mnt/store/img >"$OUT/backup.out"
lvs --noheadings -o lv_name,lv_active vg0 >"$OUT/active-after-backup"
stat -c '%n %s' /mnt/store/img/* | sed 's#/mnt/store/img/##' >"$OUT/image-sizes"
mkdir -p "$OUT/image"
cp /mnt/store/img/lvm_* /mnt/store/img/swappt-* /mnt/store/img/parts /mnt/store/img/dev-fs.list /mnt/store/img/lifeboat.json "$OUT/image/"
must "$OUT/verify.err" lifeboat verify /mnt/store/img >"$OUT/verify.out"
must "$OUT/info.err" lifeboat info /mnt/store/img >"$OUT/info.txt"
# vg0 is still on /dev/vda: a restore beside it is refused, and writes nothing.
set +e
lifeboat restore /mnt/store/img /dev/vdb --yes >"$OUT/refused.out" 2>"$OUT/refused.err"
echo $? >"$OUT/refused.exit"
set -e
if dd if=/dev/vdb bs=1M status=none | tr -d '\0' | head -c 1 | grep -q .; then echo written >"$OUT/refused-target"; else echo blank >"$OUT/refused-target"; fi
# The source disk leaves the machine (its PV label wiped), and the image goes onto the blank disk.
wipefs -q -a /dev/vda3
must "$OUT/restore-plan.err" lifeboat restore /mnt/store/img /dev/vdb --dry-run >"$OUT/restore-plan.txt"
must "$OUT/restore.err" lifeboat restore /mnt/store/img /dev/vdb --yes >"$OUT/restore.out"
lvs --noheadings -o lv_name,lv_active vg0 >"$OUT/active-after-restore"
vgchange -ay vg0 >/dev/null
udevadm settle
facts /dev/vdb dst
vgchange -an vg0 >/dev/null
umount /mnt/store
`;

// The same boot, after the LVM scenario: the restored disk's vg0 as a running system's, root (ext4) and home (xfs)
// mounted, a writer appending fsynced numbered lines to root. backup --snapshot reads both from LVM snapshots between
// --pre and --post (the post-hook right after the snapshots are made); a leftover snapshot of a "dead run" is removed
// first; a VG without free extents is refused with nothing made; a snapshot that overflows (the post-hook writes more
// than its share) fails in its own words with no image and no snapshot left; the snapshot image restored is clean.
const snapshotScript = String.raw`
must() { local err=$1; shift; "$@" 2>"$err" || { local rc=$?; cat "$err"; echo "FAILED ($rc): $*"; exit $rc; }; }
udevadm settle
vgchange -ay vg0 >/dev/null
udevadm settle
mkdir -p /mnt/root /mnt/home /mnt/store
mount /dev/mapper/vg0-root /mnt/root
mount /dev/mapper/vg0-home /mnt/home
mount /dev/vdc /mnt/store
# A snapshot a dead run left behind: tagged as Lifeboat tags its own.
lvcreate -q -y -s -L 8M -n home_lifeboat --addtag lifeboat-snapshot vg0/home >/dev/null
(i=0; while :; do i=$((i+1)); echo "$i" >>/mnt/root/counter.log; sync /mnt/root/counter.log; done) &
writer=$!
sleep 2
must "$OUT/dry.err" lifeboat backup /dev/vdb /mnt/store/snap --snapshot --dry-run >"$OUT/dry.txt"
must "$OUT/snap.err" lifeboat backup /dev/vdb /mnt/store/snap --snapshot --pre 'date +%s.%N >/run/pre-time' --post 'wc -l </mnt/root/counter.log >/run/post-lines' >"$OUT/snap.out"
lvs --noheadings -o lv_name vg0 | xargs -n1 >"$OUT/lvs-after"
n1=$(wc -l </mnt/root/counter.log); sleep 2; n2=$(wc -l </mnt/root/counter.log)
echo "$n1 $n2" >"$OUT/writer"
kill "$writer"; wait "$writer" 2>/dev/null || true
cp /mnt/store/snap/lifeboat.json "$OUT/manifest.json"
must "$OUT/verify.err" lifeboat verify /mnt/store/snap >"$OUT/verify.out"
# No room in vg0: refused, nothing made.
lvcreate -q -y -l 100%FREE -n filler vg0 >/dev/null
set +e
lifeboat backup /dev/vdb /mnt/store/nofree --snapshot >"$OUT/nofree.out" 2>"$OUT/nofree.err"
echo $? >"$OUT/nofree.exit"
set -e
lvremove -q -y vg0/filler >/dev/null
# 40 MiB free: 20 MiB for each snapshot; the post-hook writes 48 MiB onto home after its snapshot is made.
free=$(vgs --noheadings --units b --nosuffix -o vg_free vg0 | tr -d ' ')
lvcreate -q -y -L "$((free - 40*1024*1024))b" -n filler vg0 >/dev/null
set +e
lifeboat backup /dev/vdb /mnt/store/overflow --snapshot --post 'head -c 48M /dev/urandom >/mnt/home/big.bin; sync' >"$OUT/overflow.out" 2>"$OUT/overflow.err"
echo $? >"$OUT/overflow.exit"
set -e
lvs --noheadings -o lv_name vg0 | xargs -n1 >"$OUT/lvs-after-overflow"
ls -a /mnt/store >"$OUT/store-list"
lvremove -q -y vg0/filler >/dev/null
rm -f /mnt/home/big.bin
# Schedules in snapshot mode, run by systemd as their timers would: one that succeeds (its LVs from snapshots), one
# whose VG has no free extents and one whose pre-hook fails: one line in the journal and the history each,
# --on-failure called, no snapshot left.
mkdir -p /mnt/store/sched /mnt/store/nofree /mnt/store/badpre
lifeboat schedule add lvsnap --disk /dev/vdb --to /mnt/store/sched --at hourly --pre 'touch /run/lvsnap-pre' >"$OUT/sched-add"
systemctl start lifeboat-lvsnap.service
journalctl -u lifeboat-lvsnap.service --no-pager -o cat >"$OUT/sched-journal"
lifeboat schedule history lvsnap --json >"$OUT/sched-history"
ls /mnt/store/sched >"$OUT/sched-images"
test -e /run/lvsnap-pre
lifeboat schedule add lvnofree --disk /dev/vdb --to /mnt/store/nofree --at hourly --on-failure 'echo "$LIFEBOAT_EXIT_CODE" >/run/lvnofree-failed' >/dev/null
lifeboat schedule add lvbadpre --disk /dev/vdb --to /mnt/store/badpre --at hourly --pre 'echo "not now" >&2; exit 3' --on-failure 'echo "$LIFEBOAT_EXIT_CODE" >/run/lvbadpre-failed' >/dev/null
lvcreate -q -y -l 100%FREE -n filler vg0 >/dev/null
if systemctl start lifeboat-lvnofree.service; then echo ok; else echo failed; fi >"$OUT/nofree-unit"
lvremove -q -y vg0/filler >/dev/null
if systemctl start lifeboat-lvbadpre.service; then echo ok; else echo failed; fi >"$OUT/badpre-unit"
cat /run/lvnofree-failed /run/lvbadpre-failed >"$OUT/on-failure"
for s in lvnofree lvbadpre; do
  journalctl -u "lifeboat-$s.service" --no-pager -o cat >"$OUT/$s-journal"
  lifeboat schedule history "$s" --json >"$OUT/$s-history"
done
lvs --noheadings -o lv_name vg0 | xargs -n1 >"$OUT/lvs-after-schedules"
ls -a /mnt/store/nofree /mnt/store/badpre >"$OUT/failed-stores"
umount /mnt/root /mnt/home
# The snapshot image onto the other disk, once this vg0 is gone from the machine.
vgchange -an vg0 >/dev/null
wipefs -q -a /dev/vdb3
must "$OUT/restore.err" lifeboat restore /mnt/store/snap /dev/vda --yes >"$OUT/restore.out"
vgchange -ay vg0 >/dev/null
udevadm settle
e2fsck -fn /dev/mapper/vg0-root >"$OUT/fsck-root" 2>&1 && echo clean >>"$OUT/fsck-root"
# XFS's freeze (what lvcreate -s does) leaves its log to replay, as a power cut does: the first mount replays it by
# itself, and the filesystem is clean then (ext4's freeze clears its journal's recovery flag: clean as it is).
xfs_repair -n /dev/mapper/vg0-home >"$OUT/xfs-home-before-mount" 2>&1 || true
mount /dev/mapper/vg0-home /mnt/home && umount /mnt/home
xfs_repair -n /dev/mapper/vg0-home >"$OUT/xfs-home" 2>&1 && echo clean >>"$OUT/xfs-home"
mount -o ro /dev/mapper/vg0-root /mnt/root
cp /mnt/root/counter.log "$OUT/restored-counter.log"
cat /run/post-lines >"$OUT/post-lines"
umount /mnt/root
vgchange -an vg0 >/dev/null
umount /mnt/store
`;

test.before(async (t) => {
  if (skipIsoBoot) return;
  const iso = await isoUnderTest((l) => t.log(l));
  dir = await tempDir('lifeboat-lvm-lab-');
  const kernel = await extractKernel(iso, dir);
  const vda = path.join(dir, 'vda.img');
  const vdb = path.join(dir, 'vdb.img');
  const vdc = path.join(dir, 'vdc.img');
  await makeSparse(vda, 720);
  await makeSparse(vdb, 720);
  // Room for a dry run's estimate: it cannot measure the LVs of an inactive VG, so it counts them whole.
  await makeSparse(vdc, 1200);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'STORE', vdc]);
  result = await runLab({
    iso,
    kernel,
    append: kernelParams(config, entry).join(' '),
    marker,
    disks: [vda, vdb, vdc],
    scenarios: [
      { name: 'lvm', script: lvmScript, timeoutSeconds: 1500 },
      { name: 'snapshot', script: snapshotScript, timeoutSeconds: 1500 },
    ],
    workDir: dir,
    timeoutMs: 35 * 60_000,
  });
  t.log(`lab boot and the LVM and snapshot scenarios: ${result.seconds.toFixed(0)} s`);
});

test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lab = skipIsoBoot ? test.skip : test.serial;
const out = (file: string) => readFile(path.join(result!.scenarios['lvm']!.dir, file), 'utf8');

lab('the scenario ran to its end (backup, refusal, restore, facts of both disks)', (t) => {
  const r = result!.scenarios['lvm']!;
  t.is(r.exitCode, 0, r.log);
});

lab('lifeboat disks shows the tree: the PV partition, its VG, each active LV with its filesystem', async (t) => {
  const human = await out('disks.txt');
  t.regex(human, /LVM PV of VG vg0/);
  t.regex(human, /└ LV root \/dev\/mapper\/vg0-root\s+160(\.0)? MiB\s+ext4 root/);
  t.regex(human, /└ LV home \/dev\/mapper\/vg0-home\s+320(\.0)? MiB\s+xfs home/);
  t.regex(human, /└ LV swap \/dev\/mapper\/vg0-swap\s+32(\.0)? MiB\s+swap swap0/);
  const disk = JSON.parse(await out('disks.json')).disks.find((d: { device: string }) => d.device === '/dev/vda');
  const pv = disk.layout.table.partitions[2].content;
  t.like(pv, { kind: 'lvm-pv', vgName: 'vg0' });
  t.deepEqual(pv.lvs.map((l: { name: string; node?: { content: { kind: string; fsType?: string } } }) => [l.name, l.node?.content.fsType ?? l.node?.content.kind]), [
    ['home', 'xfs'],
    ['root', 'ext4'],
    ['swap', 'swap'],
  ]);
});

lab('the plan shows each LV and what is done with it; the backup activated vg0 and left it inactive', async (t) => {
  const plan = await out('dry-run.txt');
  t.regex(plan, /vda3: LVM PV: saved through its VG's LVs/);
  t.regex(plan, /VG vg0 on \/dev\/vda3 \(PV [\w-]{38}\): its metadata \(vgcfgbackup\) and PV UUIDs recorded, each LV imaged on its own; not active: the backup activates it/);
  for (const lv of ['root', 'home', 'swap']) t.regex(plan, new RegExp(`LV vg0/${lv}: \\d+ bytes, not active`));
  t.regex(await out('backup.err'), /LV vg0\/root: ext4 with partclone, \d+ bytes used of 167772160/);
  t.regex(await out('backup.err'), /LV vg0\/swap: swap: UUID and label recorded/);
  t.notRegex(await out('active-after-backup'), /\bactive\b/);
});

lab("the image is Clonezilla's LVM layout: lists, VG metadata, one partclone image per LV far smaller than the LV, swap info; the manifest covers them", async (t) => {
  const sizes = new Map((await out('image-sizes')).trim().split('\n').map((l) => [l.split(' ')[0]!, Number(l.split(' ')[1])]));
  for (const f of ['lvm_vg_dev.list', 'lvm_logv.list', 'lvm_vg0.conf', 'vg0-root.ext4-ptcl-img.zst', 'vg0-home.xfs-ptcl-img.zst', 'swappt-vg0-swap.info', 'vda1.vfat-ptcl-img.zst', 'vda2.ext4-ptcl-img.zst']) t.true(sizes.has(f), f);
  t.false([...sizes.keys()].some((f) => f.startsWith('vda3.')), 'no image of the PV partition itself');
  // 12 MiB of random data in each: the images hold the used blocks, not the 160 and 320 MiB LVs.
  t.true(sizes.get('vg0-root.ext4-ptcl-img.zst')! < 40 * MiB, String(sizes.get('vg0-root.ext4-ptcl-img.zst')));
  t.true(sizes.get('vg0-home.xfs-ptcl-img.zst')! < 40 * MiB, String(sizes.get('vg0-home.xfs-ptcl-img.zst')));
  const facts = await out('src-facts');
  const pvUuid = /^pv (\S+) vg0 (\S+)$/m.exec(facts)!;
  t.is(await out('image/lvm_vg_dev.list'), `vg0 /dev/vda3 ${pvUuid[1]}\n`);
  const logv = await out('image/lvm_logv.list');
  t.regex(logv, /^\/dev\/vg0\/home {2}SGI XFS filesystem data$/m);
  t.regex(logv, /^\/dev\/vg0\/root {2}Linux rev 1\.0 ext4 filesystem data, UUID=[\w-]+, volume name "root"$/m);
  t.regex(logv, /^\/dev\/vg0\/swap {2}Linux swap file.*LABEL=swap0/m);
  t.is(await out('image/parts'), 'vda1 vda2 vda3\n');
  t.regex(await out('image/swappt-vg0-swap.info'), /^UUID="[\w-]+"\nLABEL="swap0"\n$/);
  t.regex(await out('image/lvm_vg0.conf'), new RegExp(`id = "${pvUuid[2]}"`));
  const manifest = JSON.parse(await out('image/lifeboat.json'));
  for (const f of ['lvm_vg_dev.list', 'lvm_logv.list', 'lvm_vg0.conf', 'vg0-root.ext4-ptcl-img.zst', 'vg0-home.xfs-ptcl-img.zst', 'swappt-vg0-swap.info']) t.is(manifest.files[f]?.bytes, sizes.get(f), f);
  t.like(manifest.lvm[0], { name: 'vg0', uuid: pvUuid[2], conf: 'lvm_vg0.conf', pvs: [{ partition: 3, device: '/dev/vda3', uuid: pvUuid[1] }] });
  t.deepEqual(manifest.lvm[0].lvs.map((l: { name: string; action: string; fsType: string }) => [l.name, l.action, l.fsType]), [
    ['home', 'partclone', 'xfs'],
    ['root', 'partclone', 'ext4'],
    ['swap', 'swap', 'swap'],
  ]);
  t.is(manifest.partitions[2].action, 'lvm-pv');
  t.regex(await out('verify.out'), /: OK \(lifeboat image; \d+ checksums, 4 partition images checked/);
  const info = await out('info.txt');
  t.regex(info, new RegExp(`VG vg0 on partition 3 \\(PV ${pvUuid[1]}\\)`));
  t.regex(info, /LV root\s+partclone ext4\s+root/);
  t.regex(info, /LV swap\s+swap\s+swap\s+swap0/);
});

lab('a restore while a VG of the same name is on the machine is refused in one line (exit 4), and the target stays blank', async (t) => {
  t.is((await out('refused.exit')).trim(), '4');
  const err = (await out('refused.err')).trim().split('\n');
  t.regex(err[0]!, /^lifeboat: a volume group named vg0 \(or one of its PVs\) is already present on this machine, on \/dev\/vda3; restoring the image's vg0 beside it would clash$/);
  t.is(await out('refused-target'), 'blank\n');
});

lab('the restore plan: the table, each partition, the PV with its UUID, the VG metadata, each LV, swap, deactivation', async (t) => {
  const plan = await out('restore-plan.txt');
  const pvUuid = /^pv (\S+) /m.exec(await out('src-facts'))![1]!;
  for (const step of [
    'write the gpt partition table (3 partitions) to /dev/vdb',
    `make the LVM PV ${pvUuid} of vg0 on /dev/vdb3 (pvcreate --uuid --restorefile)`,
    'restore the metadata of the volume group vg0 (vgcfgrestore) and activate it',
    'restore vg0/root (ext4, ',
    'restore vg0/home (xfs, ',
    'make swap on /dev/vg0/swap with UUID ',
    'deactivate the volume group vg0',
  ])
    t.true(plan.includes(step), step);
});

lab('restored onto a blank disk: files, filesystem UUIDs, partition GUIDs, VG/LV names and UUIDs, PV UUID identical; vg0 left inactive', async (t) => {
  t.is(await out('dst-facts'), await out('src-facts'));
  t.regex(await out('src-facts'), /^lv vg0 root [\w-]+ 167772160 -wi-a-----$/m);
  const names = (await readdir(result!.scenarios['lvm']!.dir)).filter((f) => f.startsWith('src-sums-'));
  t.is(names.length, 4);
  for (const n of names) {
    const src = await out(n);
    t.true(src.includes('hello.txt'), n);
    t.is(await out(n.replace('src-', 'dst-').replace('vda', 'vdb')), src, n);
  }
  t.notRegex(await out('active-after-restore'), /\bactive\b/);
});

const snap = (file: string) => readFile(path.join(result!.scenarios['snapshot']!.dir, file), 'utf8');

lab('--snapshot: mounted LVs read from LVM snapshots between the hooks; the leftover of a dead run removed first; nothing of the snapshots left', async (t) => {
  const r = result!.scenarios['snapshot']!;
  t.is(r.exitCode, 0, r.log);
  const dry = await snap('dry.txt');
  t.regex(dry, /vg0\/home_lifeboat: a snapshot an earlier backup left behind \(tagged lifeboat-snapshot\): removed first/);
  t.regex(dry, /LV vg0\/root: ext4 with partclone, \d+ bytes used of 167772160; mounted on \/mnt\/root: read from an LVM snapshot of \d+ bytes \(vg0\/root_lifeboat\), removed once read/);
  t.regex(dry, /LV vg0\/home: xfs with partclone, .*mounted on \/mnt\/home: read from an LVM snapshot/);
  const err = await snap('snap.err');
  t.regex(err, /removed vg0\/home_lifeboat: LVM snapshot an earlier backup left behind/);
  t.regex(err, /making an LVM snapshot of vg0\/root/);
  t.regex(err, /making an LVM snapshot of vg0\/home/);
  t.deepEqual((await snap('lvs-after')).trim().split('\n').sort(), ['home', 'root', 'swap']);
  const manifest = JSON.parse(await snap('manifest.json'));
  t.is(manifest.state, 'complete');
  t.deepEqual(manifest.lvm[0].lvs.map((l: { name: string; read?: string }) => [l.name, l.read]), [['home', 'snapshot'], ['root', 'snapshot'], ['swap', undefined]]);
  t.regex(await snap('verify.out'), /: OK /);
  const [n1, n2] = (await snap('writer')).trim().split(' ').map(Number);
  t.true(n2! > n1!, 'the writer went on after the backup');
});

lab('--snapshot: no free extents is refused (exit 4, one line); a snapshot that overflows fails in its own words; neither leaves an image or a snapshot', async (t) => {
  t.is((await snap('nofree.exit')).trim(), '4');
  t.regex((await snap('nofree.err')).split('\n')[0]!, /^lifeboat: VG vg0 has 0 bytes free: an LVM snapshot of vg0\/\w+ \(mounted on \/mnt\/\w+\) needs at least \d+ bytes/);
  t.is((await snap('overflow.exit')).trim(), '4', await snap('overflow.err'));
  t.regex(await snap('overflow.err'), /^lifeboat: the LVM snapshot of vg0\/home filled up \(20971520 bytes\) while it was read: more changed on \/mnt\/home than it could hold; no image was kept$/m);
  t.deepEqual((await snap('lvs-after-overflow')).trim().split('\n').sort(), ['filler', 'home', 'root', 'swap']);
  t.deepEqual((await snap('store-list')).trim().split('\n').filter((f) => !['.', '..', 'lost+found', 'img'].includes(f)), ['snap']);
});

lab('the snapshot image restored: both filesystems clean without repair (XFS once its first mount replayed its log); the log whole and in order up to the snapshot point', async (t) => {
  t.regex(await snap('fsck-root'), /clean\n$/);
  t.regex(await snap('xfs-home'), /clean\n$/);
  const lines = (await snap('restored-counter.log')).split('\n');
  t.is(lines.pop(), '', 'ends with a whole line');
  t.true(lines.length > 0);
  t.deepEqual(lines, lines.map((_, i) => String(i + 1)));
  // The post-hook ran after the snapshots were made: the lines it counted then are at least those in the image.
  t.true(Number((await snap('post-lines')).trim()) >= lines.length);
});

lab('schedules in snapshot mode under systemd: a run from LVM snapshots; no free extents and a failing pre-hook each one line in the journal and history, --on-failure called, no snapshot left', async (t) => {
  t.regex(await snap('sched-journal'), /schedule lvsnap: saved \/dev\/vdb to \/mnt\/store\/sched\/vdb-\d{4}-\d{2}-\d{2}-\d{4}/);
  const ok = (JSON.parse((await snap('sched-history')).trim().split('\n').at(-1)!) as { runs: Array<{ ok: boolean }> }).runs;
  t.deepEqual(ok.map((r) => r.ok), [true]);
  t.is((await snap('sched-images')).trim().split('\n').length, 1);
  t.is(await snap('nofree-unit'), 'failed\n');
  t.is(await snap('badpre-unit'), 'failed\n');
  t.is(await snap('on-failure'), '4\n11\n');
  t.regex(await snap('lvnofree-journal'), /lifeboat: VG vg0 has 0 bytes free: an LVM snapshot of vg0\/\w+/);
  t.regex(await snap('lvbadpre-journal'), /lifeboat: the --pre hook \(.*\) exited with code 3: not now; nothing was written or frozen/);
  for (const [name, code, line] of [['lvnofree', 4, /VG vg0 has 0 bytes free/], ['lvbadpre', 11, /exited with code 3: not now/]] as const) {
    const runs = (JSON.parse((await snap(`${name}-history`)).trim().split('\n').at(-1)!) as { runs: Array<{ ok: boolean; exitCode: number; message: string; onFailure?: string }> }).runs;
    t.like(runs[0], { ok: false, exitCode: code, onFailure: 'ran' });
    t.regex(runs[0]!.message, line);
  }
  t.deepEqual((await snap('lvs-after-schedules')).trim().split('\n').sort(), ['home', 'root', 'swap']);
  t.deepEqual((await snap('failed-stores')).split('\n').filter((l) => l && !l.endsWith(':') && l !== '.' && l !== '..'), []);
});
