// A failed read (disks, images) with its reason: r tries again, Esc goes back.
import { Text, useInput } from 'ink';
import { ErrorPanel } from './error-panel.js';

export function Retry({ error, onBack, onRetry }: { error: Error; onBack: () => void; onRetry: () => void }) {
  useInput((input, key) => {
    if (key.escape) onBack();
    else if (input === 'r') onRetry();
  });
  return (
    <>
      <ErrorPanel error={error} />
      <Text>r try again, Esc back</Text>
    </>
  );
}
