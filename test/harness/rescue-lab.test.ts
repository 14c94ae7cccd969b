// Slow suite: unreadable sectors, in one boot of the guest lab (device-mapper exists only there). The scenario disk is
// a GPT disk with an ext4 partition holding known files, made on the host without mounting; in the guest a dm table
// (linear, with two error targets over blocks of one known file's data) sits over it and a loop device over that, so
// Lifeboat sees an ordinary partitioned disk whose partition fails reads with EIO exactly there. The default backup
// must stop naming the partition and the first range and leave nothing; --rescue must finish and record both ranges
// and the file; info and verify say so; restore refuses without a confirmation and restores with --yes. What the
// guest leaves in $OUT (the manifest, the outputs, the restored file) is checked here on the host.
// Needs root, qemu-system-x86 and the ISO (test/builder/iso-under-test.ts); LIFEBOAT_SKIP_ISO_BOOT=1 skips it.
import test from 'ava';
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { kernelParams } from '../../builder/boot/kernel-params.js';
import { defaultIsoConfig } from '../../iso-config/load.js';
import { extractKernel } from '../../harness/extract-kernel.js';
import { runLab, type LabResult } from '../../harness/lab.js';
import type { Manifest } from '../../imager/image/manifest.js';
import { isoUnderTest, skipIsoBoot } from '../builder/iso-under-test.js';
import { makeSparse, partition, tempDir } from '../helpers/loop.js';

const config = defaultIsoConfig();
const entry = config.boot.entries.find((e) => e.id === config.boot.default) ?? config.boot.entries[0]!;
const marker = `LIFEBOAT-READY node=v${config.node.version}`;

const partStart = 2048; // sectors of 512 bytes
const partSectors = 48 * 2048; // 48 MiB
const block = 4096;
/** Partition 2: 8 MiB of random bytes (no filesystem: copied raw), with one unreadable 4 KiB at 1 MiB into it. */
const rawStart = partStart + partSectors;
const rawSectors = 8 * 2048;
const rawData = randomBytes(rawSectors * 512);
const rawBad = { offset: 1024 * 1024, bytes: 4096 };

let dir = '';
let result: LabResult | undefined;
const files: Record<string, Buffer> = {
  'victim.bin': randomBytes(1024 * 1024),
  'keep1.bin': randomBytes(512 * 1024),
  'sub/keep2.txt': Buffer.from('a file outside the bad range\n'),
};
/** The unreadable byte ranges of the partition: two blocks, then one more block further on, both in victim.bin. */
let bad: { offset: number; bytes: number }[] = [];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The dm table: the disk linear, with an error target over each bad range (disk sectors, in order). */
function dmTable(diskSectors: number): string {
  const ranges = [...bad.map((r) => ({ s: partStart + r.offset / 512, n: r.bytes / 512 })), { s: rawStart + rawBad.offset / 512, n: rawBad.bytes / 512 }];
  const lines: string[] = [];
  let at = 0;
  for (const { s, n } of ranges) {
    lines.push(`${at} ${s - at} linear /dev/vda ${at}`, `${s} ${n} error`);
    at = s + n;
  }
  lines.push(`${at} ${diskSectors - at} linear /dev/vda ${at}`);
  return `${lines.join('\n')}\n`;
}

const scenarios = () => [
  {
    name: 'setup',
    script: [
      'modprobe dm_mod',
      'modprobe loop 2>/dev/null || true',
      'dmsetup create lbbad "$FILES/dm-table"',
      'dmsetup table lbbad >"$OUT/table"',
      'LOOP=$(losetup -fP --show /dev/mapper/lbbad)',
      'partx -a "$LOOP" 2>/dev/null || true',
      'for i in $(seq 30); do test -b "${LOOP}p1" && break; sleep 1; done',
      'test -b "${LOOP}p1"',
      'echo "$LOOP" >/tmp/lb-loop',
      'echo "$LOOP" >"$OUT/loop"',
      // dm-error is there: a read of the first bad block fails
      `if dd if="\${LOOP}p1" of=/dev/null bs=4096 skip=${bad[0]!.offset / block} count=1 iflag=direct 2>/dev/null; then echo read >"$OUT/probe"; else echo EIO >"$OUT/probe"; fi`,
      'mkdir -p /mnt/store && mount /dev/vdc /mnt/store',
    ].join('\n'),
  },
  {
    name: 'default',
    script: [
      'LOOP=$(cat /tmp/lb-loop)',
      'set +e',
      'lifeboat backup "$LOOP" /mnt/store/img-default >"$OUT/stdout" 2>"$OUT/stderr"',
      'echo $? >"$OUT/code"',
      'set -e',
      'ls -A /mnt/store >"$OUT/store"',
    ].join('\n'),
  },
  {
    name: 'rescue',
    script: [
      'LOOP=$(cat /tmp/lb-loop)',
      'set +e',
      'lifeboat backup "$LOOP" /mnt/store/img-rescue --rescue --json >"$OUT/result.jsonl" 2>"$OUT/stderr"',
      'echo $? >"$OUT/code"',
      'set -e',
      'cp /mnt/store/img-rescue/lifeboat.json "$OUT/lifeboat.json"',
      'ls -A /mnt/store >"$OUT/store"',
      'lifeboat info /mnt/store/img-rescue >"$OUT/info" 2>&1',
      'lifeboat info /mnt/store/img-rescue --json >"$OUT/info.json"',
      'set +e',
      'lifeboat verify /mnt/store/img-rescue >"$OUT/verify" 2>&1',
      'echo $? >"$OUT/verify-code"',
    ].join('\n'),
  },
  {
    name: 'restore',
    script: [
      'set +e',
      'lifeboat restore /mnt/store/img-rescue /dev/vdb </dev/null >"$OUT/no-stdout" 2>"$OUT/no-stderr"',
      'echo $? >"$OUT/no-code"',
      'if cmp -s -n 4194304 /dev/vdb /dev/zero; then echo untouched; else echo written; fi >"$OUT/after-no"',
      'lifeboat restore /mnt/store/img-rescue /dev/vdb --yes >"$OUT/yes-stdout" 2>"$OUT/yes-stderr"',
      'echo $? >"$OUT/yes-code"',
      'set -e',
      'mkdir -p /mnt/r && mount -o ro /dev/vdb1 /mnt/r',
      'cp /mnt/r/victim.bin "$OUT/victim.bin"',
      '(cd /mnt/r && find . -type f ! -path "./lost+found/*" -exec sha256sum {} + | sort -k2) >"$OUT/sums"',
      'umount /mnt/r',
      'dd if=/dev/vdb2 of="$OUT/p2.bin" bs=1M status=none',
    ].join('\n'),
  },
];

test.before(async (t) => {
  if (skipIsoBoot) return;
  const iso = await isoUnderTest((l) => t.log(l));
  dir = await tempDir('lifeboat-rescue-lab-');
  const kernel = await extractKernel(iso, dir);
  // The filesystem, made from a tree without mounting; where victim.bin's blocks 4-5 and 20 lie is read with debugfs.
  const tree = path.join(dir, 'tree');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(tree, name)), { recursive: true });
    await writeFile(path.join(tree, name), content);
  }
  const fs = path.join(dir, 'fs.img');
  await makeSparse(fs, 48);
  await execa('mkfs.ext4', ['-q', '-F', '-b', String(block), '-L', 'RESCUEFS', '-d', tree, fs]);
  const bmap = async (n: number) => Number((await execa('debugfs', ['-R', `bmap /victim.bin ${n}`, fs])).stdout.trim());
  const [b4, b5, b20] = [await bmap(4), await bmap(5), await bmap(20)];
  if (b5 !== b4 + 1 || b20 <= b5 + 1) throw new Error(`victim.bin is not laid out as the test needs: blocks ${b4}, ${b5}, ${b20}`);
  bad = [
    { offset: b4 * block, bytes: 2 * block },
    { offset: b20 * block, bytes: block },
  ];
  // /dev/vda: GPT, one partition at 1 MiB holding that filesystem; /dev/vdb: blank, the same size; /dev/vdc: the store.
  const vda = path.join(dir, 'vda.img');
  await makeSparse(vda, 64);
  await partition(vda, `label: gpt\nstart=${partStart}, size=${partSectors}, type=L\nstart=${rawStart}, size=${rawSectors}, type=L\n`);
  await execa('dd', [`if=${fs}`, `of=${vda}`, 'bs=1M', `seek=${(partStart * 512) / 2 ** 20}`, 'conv=notrunc,sparse', 'status=none']);
  const raw = path.join(dir, 'raw.bin');
  await writeFile(raw, rawData);
  await execa('dd', [`if=${raw}`, `of=${vda}`, 'bs=1M', `seek=${(rawStart * 512) / 2 ** 20}`, 'conv=notrunc', 'status=none']);
  const vdb = path.join(dir, 'vdb.img');
  await makeSparse(vdb, 64);
  const vdc = path.join(dir, 'vdc.img');
  await makeSparse(vdc, 128);
  await execa('mkfs.ext4', ['-q', '-F', '-L', 'STORE', vdc]);
  result = await runLab({
    iso,
    kernel,
    append: kernelParams(config, entry).join(' '),
    marker,
    disks: [vda, vdb, vdc],
    scenarios: scenarios(),
    files: { 'dm-table': dmTable(64 * 2048) },
    workDir: dir,
    timeoutMs: 20 * 60_000,
  });
  t.log(`lab boot and ${scenarios().length} scenarios: ${result.seconds.toFixed(0)} s`);
});

test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lab = skipIsoBoot ? test.skip : test.serial;
const out = (name: string, file: string) => readFile(path.join(result!.scenarios[name]!.dir, file), 'utf8');
const ok = (name: string) => {
  const r = result!.scenarios[name]!;
  return { code: r.exitCode, log: r.log };
};
/** The bad ranges as disk sectors "first-last". */
const diskRange = (r: { offset: number; bytes: number }) => `${partStart + r.offset / 512}-${partStart + (r.offset + r.bytes) / 512 - 1}`;

lab('the guest has the disk with its dm-error ranges under a loop device, and a read there fails', async (t) => {
  const s = ok('setup');
  t.is(s.code, 0, s.log);
  t.is(await out('setup', 'probe'), 'EIO\n');
  t.regex(await out('setup', 'table'), / error/);
});

lab('the default backup stops at the first unreadable range: one line naming the partition and the range, exit 9, nothing left on the store', async (t) => {
  const s = ok('default');
  t.is(s.code, 0, s.log);
  t.is((await out('default', 'code')).trim(), '9', await out('default', 'stderr'));
  const loop = (await out('setup', 'loop')).trim();
  const stderr = await out('default', 'stderr');
  const line = stderr.split('\n').find((l) => l.startsWith('lifeboat: '));
  t.truthy(line, stderr);
  t.true(line!.includes(`${loop}p1 has unreadable sectors`), line);
  t.true(line!.includes(`sectors ${diskRange(bad[0]!)} of the disk (${bad[0]!.bytes} bytes at byte ${bad[0]!.offset} of the partition)`), line);
  t.false(line!.includes(diskRange(bad[1]!)), 'only the first range is named');
  // Neither the image nor its hidden partial folder: nothing that could look complete.
  t.deepEqual((await out('default', 'store')).split('\n').filter(Boolean), ['lost+found']);
});

lab('--rescue completes; the manifest records every range on the disk, the state, the policy and the affected file', async (t) => {
  const s = ok('rescue');
  t.is(s.code, 0, s.log);
  t.is((await out('rescue', 'code')).trim(), '0', await out('rescue', 'stderr'));
  const m = JSON.parse(await out('rescue', 'lifeboat.json')) as Manifest;
  t.is(m.state, 'complete-with-unreadable-sectors');
  t.regex(m.rescue?.policy ?? '', /sector by sector, once/);
  const p = m.partitions.find((q) => q.number === 1)!;
  t.deepEqual(p.unreadable?.ranges, bad.map((r) => ({ ...r, firstSector: partStart + r.offset / 512, sectors: r.bytes / 512 })));
  t.is(p.unreadable?.bytes, 3 * block);
  t.true(p.unreadable?.filesKnown);
  t.deepEqual(p.unreadable?.files, ['/victim.bin']);
  // Partition 2, copied raw with ddrescue: its range, and no way to tell files.
  const p2 = m.partitions.find((q) => q.number === 2)!;
  t.is(p2.action, 'raw');
  t.deepEqual(p2.unreadable?.ranges, [{ ...rawBad, firstSector: rawStart + rawBad.offset / 512, sectors: rawBad.bytes / 512 }]);
  t.false(p2.unreadable?.filesKnown);
  t.regex(p2.unreadable?.note ?? '', /cannot tell which files/);
  const resultLine = JSON.parse((await out('rescue', 'result.jsonl')).trim().split('\n').pop()!) as { ok: boolean; state: string; unreadable: { files: string[] }[] };
  t.true(resultLine.ok);
  t.is(resultLine.state, 'complete-with-unreadable-sectors');
  t.deepEqual(resultLine.unreadable[0]!.files, ['/victim.bin']);
  t.deepEqual((await out('rescue', 'store')).split('\n').filter(Boolean).sort(), ['img-rescue', 'lost+found']);
});

lab('info and verify say the image is complete with unreadable sectors, with the ranges and the file', async (t) => {
  const info = await out('rescue', 'info');
  t.regex(info, /state complete, with unreadable sectors/);
  t.true(info.includes(`disk sectors ${diskRange(bad[0]!)}, ${diskRange(bad[1]!)}`), info);
  t.regex(info, /files affected: \/victim\.bin/);
  t.regex(info, /p2: 4096 bytes unreadable in 1 range .*affected files unknown/);
  const json = JSON.parse(await out('rescue', 'info.json')) as { state: string; unreadable: { partition: string; files: string[] }[] };
  t.is(json.state, 'complete-with-unreadable-sectors');
  t.deepEqual(json.unreadable[0]!.files, ['/victim.bin']);
  t.is((await out('rescue', 'verify-code')).trim(), '0', await out('rescue', 'verify'));
  const verify = await out('rescue', 'verify');
  t.regex(verify, /OK, complete with unreadable sectors/);
  t.regex(verify, /files affected: \/victim\.bin/);
});

lab('restore: refused without a confirmation, saying why, and nothing written; with --yes the plan notes it and the files outside the bad range are identical', async (t) => {
  const s = ok('restore');
  t.is(s.code, 0, s.log);
  t.is((await out('restore', 'no-code')).trim(), '4', await out('restore', 'no-stderr'));
  t.regex(await out('restore', 'no-stderr'), /not confirmed: nothing was written to \/dev\/vdb \(the image is complete, with unreadable sectors: .*victim\.bin/);
  t.is(await out('restore', 'after-no'), 'untouched\n');
  t.is((await out('restore', 'yes-code')).trim(), '0', await out('restore', 'yes-stderr'));
  t.regex(await out('restore', 'yes-stderr'), /note: the image is complete, with unreadable sectors/);
  const sums = new Map((await out('restore', 'sums')).trim().split('\n').map((l) => [l.slice(66).replace(/^\.\//, ''), l.slice(0, 64)] as const));
  t.is(sums.get('keep1.bin'), sha(files['keep1.bin']!));
  t.is(sums.get('sub/keep2.txt'), sha(files['sub/keep2.txt']!));
  // victim.bin: identical outside the bad ranges; inside, each sector holds partclone's BADSECTOR filler.
  const victim = await readFile(path.join(result!.scenarios['restore']!.dir, 'victim.bin'));
  const original = files['victim.bin']!;
  t.is(victim.length, original.length);
  // The bad ranges are the file's blocks 4-5 and 20 (where bmap found them).
  const inFile = [
    { at: 4 * block, bytes: 2 * block },
    { at: 20 * block, bytes: block },
  ];
  let outside = 0;
  for (let i = 0; i < original.length; i += 512) {
    const inBad = inFile.some((r) => i >= r.at && i < r.at + r.bytes);
    const got = victim.subarray(i, i + 512);
    if (inBad) t.is(got.subarray(0, 9).toString(), 'BADSECTOR', `sector at ${i}`);
    else if (got.equals(original.subarray(i, i + 512))) outside++;
  }
  t.is(outside, (original.length - 3 * block) / 512, 'every sector outside the bad ranges is the original');
  // The raw partition: the same outside its bad range, zeros (ddrescue writes nothing there) inside.
  const p2 = await readFile(path.join(result!.scenarios['restore']!.dir, 'p2.bin'));
  t.is(p2.length, rawData.length);
  const cut = (b: Buffer) => Buffer.concat([b.subarray(0, rawBad.offset), b.subarray(rawBad.offset + rawBad.bytes)]);
  t.true(cut(p2).equals(cut(rawData)), 'partition 2 outside its bad range is the original');
  t.true(p2.subarray(rawBad.offset, rawBad.offset + rawBad.bytes).equals(Buffer.alloc(rawBad.bytes)));
});
