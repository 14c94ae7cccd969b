// What a screen shows while the backend is working out what to show: one line saying what.
import { Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

export function Loading({ what }: { what: string }) {
  const theme = useTheme();
  return <Text color={theme.accent}>{`${what}${theme.more}`}</Text>;
}
