// The Disks screen: every disk with model, size and table, its partitions (fs, label, size, used), and the live
// medium and mounted disks marked. r reads them again.
import { Frame } from '../components/frame.js';
import { ErrorPanel } from '../components/error-panel.js';
import { Loading } from '../components/loading.js';
import { ScrollText } from '../components/scroll-text.js';
import { disksText } from '../describe.js';
import { useBackend } from '../hooks/use-backend.js';
import { useLoad } from '../hooks/use-load.js';
import { useInput } from 'ink';

export function DisksScreen({ onBack }: { onBack: () => void }) {
  const backend = useBackend();
  const disks = useLoad(() => backend.listDisks());
  return (
    <Frame title="Disks" keys="Up/Down scroll  r read again  Esc back">
      {disks.state === 'loading' && <Loading what="Reading the disks" onBack={onBack} />}
      {disks.state === 'error' && <Failed error={disks.error} onBack={onBack} onRetry={disks.reload} />}
      {disks.state === 'ok' && <ScrollText lines={disksText(disks.value)} onBack={onBack} onKey={(k) => k === 'r' && disks.reload()} />}
    </Frame>
  );
}

function Failed({ error, onBack, onRetry }: { error: Error; onBack: () => void; onRetry: () => void }) {
  useInput((input, key) => {
    if (key.escape) onBack();
    else if (input === 'r') onRetry();
  });
  return <ErrorPanel error={error} title="Could not read the disks" />;
}
