// mmdebstrap's environment: the caller's PATH, home, temporary directory and proxies, nothing else of it.
import test from 'ava';
import { bootstrapEnv } from '../../builder/bootstrap-env.js';

test('bootstrap environment: passes PATH, HOME, TMPDIR and proxies; drops the rest; fixes Python bytecode; SOURCE_DATE_EPOCH', (t) => {
  const caller = { PATH: '/usr/bin:/bin', HOME: '/root', http_proxy: 'http://proxy:3128', PYTHONDONTWRITEBYTECODE: '', TZ: 'Europe/Paris', LANG: 'fr_FR.UTF-8', PERL5LIB: '/x' };
  t.deepEqual(bootstrapEnv(1700000000, caller), {
    PATH: '/usr/bin:/bin',
    HOME: '/root',
    http_proxy: 'http://proxy:3128',
    PYTHONDONTWRITEBYTECODE: '1',
    SOURCE_DATE_EPOCH: '1700000000',
  });
  t.deepEqual(bootstrapEnv(undefined, { PATH: '/bin' }), { PATH: '/bin', PYTHONDONTWRITEBYTECODE: '1' });
});
