// Store URIs: the one parser (imager/store/uri.ts) reads ssh://user@host[:port]/path, refuses malformed ones with
// one line (UsageError: exit 2), and the CLI's image arguments split into the store and the image's name.
import test from 'ava';
import { exitCodes, UsageError } from '../../../core/errors.js';
import { storeOfImagePath } from '../../../imager/jobs/image-path.js';
import { sshfsArgs, sshProbeArgs } from '../../../imager/store/ssh-args.js';
import { sshLockKey } from '../../../imager/store/ssh.js';
import { parseStoreUri, sshUri } from '../../../imager/store/uri.js';

test('ssh URIs: user, host, port, path; IPv6 in brackets; %-escapes; the canonical form back', (t) => {
  t.deepEqual(parseStoreUri('ssh://backup@nas/srv/images/'), { kind: 'ssh', user: 'backup', host: 'nas', port: undefined, path: '/srv/images', identityFile: undefined, knownHostsFile: undefined });
  t.like(parseStoreUri('ssh://root@10.0.0.2:2222/srv', { sshKey: '/k', knownHosts: '/kh' }), { host: '10.0.0.2', port: 2222, path: '/srv', identityFile: '/k', knownHostsFile: '/kh' });
  t.like(parseStoreUri('ssh://u@[fe80::1]:22/'), { host: 'fe80::1', port: 22, path: '/' });
  t.like(parseStoreUri('ssh://u@h/my%20images'), { path: '/my images' });
  t.is(sshUri(parseStoreUri('ssh://u@[::1]:2200/a/b')), 'ssh://u@[::1]:2200/a/b');
  t.is(sshUri(parseStoreUri('ssh://u@h/a'), 'pc'), 'ssh://u@h/a/pc');
});

test('malformed URIs: one line, exit 2, saying what is wrong', (t) => {
  const cases: Array<[string, RegExp]> = [
    ['ssh://nas/srv', /names no user/],
    ['ssh://@nas/srv', /names no user/],
    ['ssh://u@/srv', /names no host/],
    ['ssh://u@nas', /names no folder/],
    ['ssh://u@nas:0/srv', /port '0'/],
    ['ssh://u@nas:70000/srv', /port '70000'/],
    ['ssh://u@nas:ab/srv', /port 'ab'/],
    ['ssh://-oProxyCommand=x@nas/srv', /user '-oProxyCommand=x'/],
    ['ssh://u@-oProxyCommand=x/srv', /host '-oProxyCommand=x'/],
    ['ssh://u@nas/srv/../etc', /\.\./],
    ['ssh://u@nas/%zz', /%-escape/],
  ];
  for (const [uri, why] of cases) {
    const e = t.throws(() => parseStoreUri(uri), { instanceOf: UsageError }, uri);
    t.regex(e!.message, new RegExp(`^the store URI .* is malformed: .*${why.source}`), uri);
    t.false(e!.message.includes('\n'));
    t.is(exitCodes[e!.kind], 2);
  }
  t.throws(() => parseStoreUri('smb://u@nas/share'), { instanceOf: UsageError, message: /SMB stores are not supported yet/ });
  t.throws(() => parseStoreUri('ftp://nas/x'), { instanceOf: UsageError, message: /unknown kind of store 'ftp:\/\/'/ });
});

test('image arguments: ssh://…/images/pc is the store …/images and the image pc; a path as before', (t) => {
  t.like(storeOfImagePath('ssh://u@nas:2222/srv/images/pc', { sshKey: '/k' }), { store: { kind: 'ssh', host: 'nas', port: 2222, path: '/srv/images', identityFile: '/k' }, image: 'pc' });
  t.like(storeOfImagePath('ssh://u@nas/pc'), { store: { kind: 'ssh', path: '/' }, image: 'pc' });
  t.throws(() => storeOfImagePath('ssh://u@nas/'), { instanceOf: UsageError, message: /names no image/ });
  t.deepEqual(storeOfImagePath('/mnt/stick/pc'), { store: { kind: 'folder', path: '/mnt/stick' }, image: 'pc' });
});

test('sshfs and ssh argv: key only, batch mode, strict host key against the given file, no reconnect, keep-alives; the key by path only', (t) => {
  const ref = parseStoreUri('ssh://backup@nas:2222/srv/images', { sshKey: '/keys/id', knownHosts: '/pins/known' });
  const args = sshfsArgs(ref, 'write', '/run/lifeboat/stores/ssh-x');
  t.deepEqual(args.slice(0, 4), ['-F', '/dev/null', '-p', '2222']);
  for (const o of ['BatchMode=yes', 'PasswordAuthentication=no', 'KbdInteractiveAuthentication=no', 'IdentityFile=/keys/id', 'IdentitiesOnly=yes', 'StrictHostKeyChecking=yes', 'UserKnownHostsFile=/pins/known', 'UpdateHostKeys=no', 'ServerAliveInterval=5', 'ServerAliveCountMax=3'])
    t.true(args.includes(o), o);
  t.false(args.some((a) => /reconnect/.test(a)), 'sshfs does not reconnect');
  t.deepEqual(args.slice(-3), ['--', 'backup@nas:/srv/images', '/run/lifeboat/stores/ssh-x']);
  t.true(sshfsArgs(ref, 'read', '/d').includes('ro'));
  t.false(sshfsArgs(ref, 'write', '/d').includes('ro'));
  t.deepEqual(sshProbeArgs(ref).slice(-4), ['-s', '--', 'backup@nas', 'sftp']);
});

test('lock keys of SSH images: the URI and the path, the same for port 22 written or not, never a local dev:ino', (t) => {
  t.is(sshLockKey(parseStoreUri('ssh://u@NAS/srv'), 'pc'), 'image:ssh://u@nas:22/srv/pc');
  t.is(sshLockKey(parseStoreUri('ssh://u@nas:22/srv/'), 'pc'), sshLockKey(parseStoreUri('ssh://u@nas/srv'), 'pc'));
  t.not(sshLockKey(parseStoreUri('ssh://u@nas:2222/srv'), 'pc'), sshLockKey(parseStoreUri('ssh://u@nas/srv'), 'pc'));
});

test('an image in a partition is the partition store of its parent folder and its name', (t) => {
  t.deepEqual(storeOfImagePath('LABEL=STICK:/images/pc'), { store: { kind: 'partition', device: 'LABEL=STICK', folder: '/images' }, image: 'pc' });
  t.deepEqual(storeOfImagePath('/dev/sdb1:/pc/'), { store: { kind: 'partition', device: '/dev/sdb1', folder: '' }, image: 'pc' });
  t.throws(() => storeOfImagePath('LABEL=STICK'), { message: /^LABEL=STICK names no image: give the image's folder in the partition/ });
  t.throws(() => storeOfImagePath('/dev/sdb1:/'), { message: /names no image/ });
  // A plain path under /dev without a folder part stays a path (it is not a store form).
  t.like(storeOfImagePath('/dev/shm/pc'), { store: { kind: 'folder', path: '/dev/shm' }, image: 'pc' });
});
