// A job in progress: its progress, and Esc asks whether to stop it (the library then cleans up after itself).
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { Progress } from '../hooks/use-job.js';
import { JobProgress } from './job-progress.js';
import { YesNo } from './yes-no.js';

export function RunningJob({ title, progress, stopQuestion, onStop }: { title: string; progress: Progress; stopQuestion: string; onStop: () => void }) {
  const [asking, setAsking] = useState(false);
  const [stopping, setStopping] = useState(false);
  useInput((_input, key) => {
    if (key.escape && !asking && !stopping) setAsking(true);
  });
  return (
    <Box flexDirection="column">
      <JobProgress title={title} progress={progress} />
      {stopping && <Text bold>Stopping...</Text>}
      {asking && (
        <YesNo
          question={stopQuestion}
          onAnswer={(yes) => {
            setAsking(false);
            if (yes) {
              setStopping(true);
              onStop();
            }
          }}
        />
      )}
    </Box>
  );
}
