// Reboot or power off, after a yes; the command's failure (e.g. no systemd on this host) is shown, not hidden.
import { Text, useInput } from 'ink';
import { useState } from 'react';
import { ErrorPanel } from '../components/error-panel.js';
import { Frame } from '../components/frame.js';
import { YesNo } from '../components/yes-no.js';
import { useBackend } from '../hooks/use-backend.js';

export function PowerScreen({ action, onBack }: { action: 'reboot' | 'poweroff'; onBack: () => void }) {
  const backend = useBackend();
  const [state, setState] = useState<{ s: 'ask' } | { s: 'going' } | { s: 'failed'; error: Error }>({ s: 'ask' });
  const words = action === 'reboot' ? 'Reboot' : 'Power off';
  useInput((_input, key) => {
    if (state.s === 'failed' && (key.escape || key.return)) onBack();
  });
  return (
    <Frame title={words} keys={state.s === 'failed' ? 'Enter or Esc back' : 'y yes  n no'}>
      {state.s === 'ask' && (
        <YesNo
          question={`${words} now? Anything not saved is lost.`}
          onAnswer={(yes) => {
            if (!yes) return onBack();
            setState({ s: 'going' });
            backend.power(action).catch((error: unknown) => setState({ s: 'failed', error: error instanceof Error ? error : new Error(String(error)) }));
          }}
        />
      )}
      {state.s === 'going' && <Text>{`${words}${action === 'reboot' ? 'ing' : ''}...`}</Text>}
      {state.s === 'failed' && <ErrorPanel error={state.error} title={`${words} failed`} />}
    </Frame>
  );
}
