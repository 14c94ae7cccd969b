// What a screen shows while the backend is working out what to show: one line saying what; Esc goes back (the
// backend finishes its call, and unmounts what it mounted, on its own).
import { Text, useInput } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

export function Loading({ what, onBack }: { what: string; onBack?: () => void }) {
  const theme = useTheme();
  useInput((_input, key) => {
    if (key.escape) onBack?.();
  });
  return <Text color={theme.accent}>{`${what}${theme.more}`}</Text>;
}
