// A question answered with y or n (Enter means no, Esc means no): quitting a job, rebooting, powering off.
import { Box, Text, useInput } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

export function YesNo({ question, onAnswer }: { question: string; onAnswer: (yes: boolean) => void }) {
  const theme = useTheme();
  useInput((input, key) => {
    if (input === 'y' || input === 'Y') onAnswer(true);
    else if (input === 'n' || input === 'N' || key.escape || key.return) onAnswer(false);
  });
  return (
    <Box borderStyle={theme.border} paddingX={1} flexDirection="column">
      <Text bold color={theme.danger}>
        {question}
      </Text>
      <Text>y = yes, n or Esc = no</Text>
    </Box>
  );
}
