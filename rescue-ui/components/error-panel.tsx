// An error in the user's words: the library's message, its hint, and (for a refusal) that nothing was written.
import { Box, Text } from 'ink';
import { LifeboatError } from '../../core/errors.js';
import { printable } from '../../core/printable.js';
import { useTheme } from '../hooks/use-theme.js';

export function ErrorPanel({ error, title = 'Failed' }: { error: Error; title?: string }) {
  const theme = useTheme();
  const hint = error instanceof LifeboatError ? error.hint : undefined;
  const file = (error as { file?: string }).file;
  return (
    <Box flexDirection="column">
      <Text bold color={theme.danger}>{`${title}: ${printable(error.message, { keepNewlines: true, max: 1000 })}`}</Text>
      {file !== undefined && <Text>{`Broken file: ${printable(file)}`}</Text>}
      {hint !== undefined && <Text>{`Hint: ${printable(hint, { keepNewlines: true, max: 1000 })}`}</Text>}
    </Box>
  );
}
