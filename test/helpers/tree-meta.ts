// Test helper: files with the metadata a file copy must keep (owners, modes, xattrs, ACLs, hard links, sparse files),
// and a description of a tree by all of that, to compare a restored filesystem with its source.
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, chown, link, lstat, mkdir, readdir, readlink, symlink, truncate, utimes, writeFile, open } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `mib` MiB of real data (allocated blocks: compressible text and some random bytes) under dir/data, plus
 * files with other owners and modes, a setuid file, xattrs, ACLs, hard links, a symlink, a sparse file and old
 * timestamps.
 */
export async function writeRichTree(dir: string, mib: number, prefix: string): Promise<void> {
  const data = path.join(dir, 'data');
  await mkdir(data, { recursive: true });
  const chunk = 16; // MiB per file
  for (let i = 0; i * chunk < mib; i++) {
    const n = Math.min(chunk, mib - i * chunk);
    const fh = await open(path.join(data, `${prefix}-${i}.bin`), 'w');
    // Text made from the file's name and each block's number: compresses well, yet every block differs.
    for (let b = 0; b < n * 16; b++) await fh.write(Buffer.alloc(64 * 1024, `${prefix}${i}:${b}:`));
    await fh.close();
  }
  await writeFile(path.join(data, 'random.bin'), randomBytes(4 * 1024 * 1024));
  const meta = path.join(dir, 'meta');
  await mkdir(path.join(meta, 'sub'), { recursive: true });
  await writeFile(path.join(meta, 'owned'), 'owned by 1234:5678\n');
  await chown(path.join(meta, 'owned'), 1234, 5678);
  await writeFile(path.join(meta, 'setuid'), '#!/bin/sh\n');
  await chmod(path.join(meta, 'setuid'), 0o4755);
  await writeFile(path.join(meta, 'secret'), 'mode 600\n');
  await chmod(path.join(meta, 'secret'), 0o600);
  await chown(path.join(meta, 'sub'), 42, 43);
  await chmod(path.join(meta, 'sub'), 0o1770);
  await writeFile(path.join(meta, 'xattr'), 'has xattrs\n');
  await execa('setfattr', ['-n', 'user.lifeboat', '-v', 'kept', path.join(meta, 'xattr')]);
  await execa('setfattr', ['-n', 'trusted.lifeboat', '-v', '0x00ff10', path.join(meta, 'xattr')]);
  await writeFile(path.join(meta, 'acl'), 'has an ACL\n');
  await execa('setfacl', ['-m', 'u:2000:rw,g:3000:r', path.join(meta, 'acl')]);
  await execa('setfacl', ['-d', '-m', 'u:2001:rwx', path.join(meta, 'sub')]);
  await writeFile(path.join(meta, 'linked'), 'one inode, three names\n');
  await link(path.join(meta, 'linked'), path.join(meta, 'hard-1'));
  await link(path.join(meta, 'linked'), path.join(meta, 'sub', 'hard-2'));
  await symlink('../data/random.bin', path.join(meta, 'sub', 'symlink'));
  await writeFile(path.join(meta, 'sparse'), 'head');
  await truncate(path.join(meta, 'sparse'), 512 * 1024 * 1024);
  const old = new Date('2001-02-03T04:05:06Z');
  await utimes(path.join(meta, 'owned'), old, old);
  await utimes(path.join(meta, 'sub'), old, old);
}

async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Every entry under dir: type, mode, owner, size, content hash, mtime, hard-link group, xattrs and ACLs. */
export async function treeMeta(dir: string): Promise<{ entries: Record<string, string>; xattrs: string; acls: string; sparseBlocks: number | undefined }> {
  const entries: Record<string, string> = {};
  const inodes = new Map<number, string>();
  async function walk(rel: string): Promise<void> {
    for (const name of (await readdir(path.join(dir, rel))).sort()) {
      const r = path.join(rel, name);
      if (r === 'lost+found') continue;
      const full = path.join(dir, r);
      const st = await lstat(full);
      const base = `mode=${st.mode.toString(8)} uid=${st.uid} gid=${st.gid} mtime=${Math.floor(st.mtimeMs / 1000)}`;
      if (st.isDirectory()) {
        entries[r] = `dir ${base}`;
        await walk(r);
      } else if (st.isSymbolicLink()) entries[r] = `link ${base} -> ${await readlink(full)}`;
      else {
        const group = inodes.get(st.ino) ?? r;
        inodes.set(st.ino, group);
        entries[r] = `file ${base} size=${st.size} nlink=${st.nlink} same-as=${group} sha256=${await hashFile(full)}`;
      }
    }
  }
  await walk('');
  // Both tools walk in directory order, which a copy need not keep: their per-file blocks are sorted.
  const blocks = (text: string) => text.split(/\n\s*\n/).map((b) => b.trim()).filter((b) => b && !b.includes('lost+found')).sort().join('\n\n');
  const xattrs = blocks((await execa('getfattr', ['-R', '-h', '-d', '-m', '-', '--', '.'], { cwd: dir })).stdout);
  const acls = blocks((await execa('getfacl', ['-R', '-p', '-s', '--', '.'], { cwd: dir })).stdout);
  const sparse = await lstat(path.join(dir, 'meta', 'sparse')).catch(() => undefined);
  return { entries, xattrs, acls, sparseBlocks: sparse?.blocks };
}
