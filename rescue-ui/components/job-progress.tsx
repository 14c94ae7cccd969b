// A running job's progress: the current step, the partition's bar and the overall bar, rate and ETA, and the
// partitions already done.
import { Box, Text } from 'ink';
import type { Progress } from '../hooks/use-job.js';
import { useTheme } from '../hooks/use-theme.js';
import { bytes, duration } from '../../core/format.js';
import { fit, rate } from '../format.js';
import { ProgressBar } from './progress-bar.js';

const phaseWords: Record<string, string> = { backup: 'Backing up', restore: 'Restoring', verify: 'Verifying' };

export function JobProgress({ title, progress }: { title: string; progress: Progress }) {
  const theme = useTheme();
  const done = progress.done.slice(-6);
  return (
    <Box flexDirection="column">
      <Text bold>{fit(title, 74, theme.more)}</Text>
      <Text>{fit(`${phaseWords[progress.phase] ?? progress.phase}: ${progress.step ?? 'starting'}`, 74, theme.more)}</Text>
      <Text> </Text>
      <ProgressBar label={`${fit(progress.partition ?? '-', 12, '').padEnd(12)} `} percent={progress.partitionPercent} width={44} />
      <ProgressBar label={`${'overall'.padEnd(12)} `} percent={progress.overallPercent} width={44} />
      <Text>{`Rate ${rate(progress.bytesPerSecond)}   ETA ${duration(progress.etaSeconds)}`}</Text>
      <Text> </Text>
      {done.map((d) => (
        <Text key={d.partition} color={theme.good}>{`  done ${d.partition}: ${bytes(d.bytes)} in ${d.seconds.toFixed(1)} s`}</Text>
      ))}
    </Box>
  );
}
