// A progress bar drawn with the theme's characters: [#####.....]  42.5%
import { Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

export function ProgressBar({ percent, width = 40, label }: { percent: number; width?: number; label?: string }) {
  const theme = useTheme();
  const p = Math.max(0, Math.min(100, Number.isFinite(percent) ? percent : 0));
  const filled = Math.round((p / 100) * width);
  return (
    <Text>
      {`${label ?? ''}[`}
      <Text color={theme.accent}>{theme.barFull.repeat(filled)}</Text>
      {`${theme.barEmpty.repeat(width - filled)}] ${p.toFixed(1).padStart(5)}%`}
    </Text>
  );
}
