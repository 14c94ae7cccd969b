// The repository URI syntax: restic:PATH, restic:sftp:…, restic:rest:…, #SNAPSHOT; malformed ones are exit 2.
import test from 'ava';
import { parseRepositoryUri, splitSnapshot } from '../../../imager/repository/uri.js';
import { storeOfImagePath } from '../../../imager/jobs/image-path.js';
import { parseStoreRef } from '../../../imager/store/open.js';

test('restic:PATH is a local folder, made absolute', (t) => {
  const r = parseRepositoryUri('restic:/srv/repo/');
  t.is(r.repository, '/srv/repo');
  t.is(r.localPath, '/srv/repo');
  t.is(r.uri, 'restic:/srv/repo');
  t.is(parseRepositoryUri('restic:local:/srv/r').repository, '/srv/r');
});

test('restic:sftp: and restic:rest: are remote, in restic own words', (t) => {
  const s = parseRepositoryUri('restic:sftp:backup@nas:/srv/repo', { sshKey: '/k', knownHosts: '/kh' });
  t.is(s.repository, 'sftp:backup@nas:/srv/repo');
  t.is(s.localPath, undefined);
  t.is(s.identityFile, '/k');
  t.is(parseRepositoryUri('restic:sftp://backup@nas:2222//srv/repo').repository, 'sftp://backup@nas:2222//srv/repo');
  t.is(parseRepositoryUri('restic:rest:http://127.0.0.1:8000/pc/').repository, 'rest:http://127.0.0.1:8000/pc/');
});

test('a password never rides in the URI; unsupported backends and malformed forms are usage errors', (t) => {
  t.throws(() => parseRepositoryUri('restic:rest:http://u:secret@h:8000/'), { message: /carries a password/ });
  t.throws(() => parseRepositoryUri('restic:s3:s3.amazonaws.com/bucket'), { message: /'s3' backend is not supported yet/ });
  t.throws(() => parseRepositoryUri('restic:sftp:nas/srv'), { message: /malformed/ });
  t.throws(() => parseRepositoryUri('restic:'), { message: /names no repository/ });
  t.throws(() => parseRepositoryUri('restic:rest:ftp://h/'), { message: /rest:http/ });
});

test('#SNAPSHOT names an image; latest by default; a word that is no id is refused', (t) => {
  t.deepEqual(splitSnapshot('restic:/r#1a2b3c4d'), { repo: 'restic:/r', snapshot: '1a2b3c4d' });
  t.deepEqual(splitSnapshot('restic:/r'), { repo: 'restic:/r', snapshot: undefined });
  t.throws(() => splitSnapshot('restic:/r#yesterday'), { message: /not a snapshot/ });
  const { store, image } = storeOfImagePath('restic:/r', { passwordFile: '/pw' });
  t.is(image, 'latest');
  t.like(store, { kind: 'restic', repository: '/r', password: { file: '/pw' } });
  t.is(storeOfImagePath('restic:/r#deadbeef').image, 'deadbeef');
  t.like(parseStoreRef('restic:rest:http://127.0.0.1:1/'), { kind: 'restic' });
});
