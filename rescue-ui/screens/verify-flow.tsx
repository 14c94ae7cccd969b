// Verify an image: choose it, watch the check, and get a clear verdict naming the broken file if there is one.
import { Text } from 'ink';
import { useCallback, useEffect, useState } from 'react';
import type { FoundImage, JobHooks } from '../backend/port.js';
import { Frame } from '../components/frame.js';
import { JobEnd } from '../components/job-end.js';
import { Loading } from '../components/loading.js';
import { PickImage } from '../components/pick-image.js';
import { RunningJob } from '../components/running-job.js';
import { useBackend } from '../hooks/use-backend.js';
import { useJob } from '../hooks/use-job.js';
import { InvalidImageError } from '../../core/errors.js';

export function VerifyFlow({ onDone }: { onDone: () => void }) {
  const [image, setImage] = useState<FoundImage | undefined>(undefined);
  return (
    <Frame title="Verify an image" keys={image ? 'Esc stop the job  Enter back to the menu once it has ended' : 'Up/Down choose  Enter verify  r look again  Esc back'}>
      {image === undefined ? <PickImage question="Which image do you want to verify?" onPick={setImage} onBack={onDone} /> : <Run image={image} onDone={onDone} />}
    </Frame>
  );
}

function Run({ image, onDone }: { image: FoundImage; onDone: () => void }) {
  const backend = useBackend();
  const run = useCallback((hooks: JobHooks) => backend.verify(image, hooks), [backend, image]);
  const { job, start, abort } = useJob(`the check of ${image.path}`, 'verify', run);
  useEffect(() => start(), [start]);
  if (job.state === 'idle') return <Loading what="Starting" />;
  if (job.state === 'running') return <RunningJob title={`${image.path} on ${image.store}`} progress={job.progress} stopQuestion="Stop the check?" onStop={abort} />;
  if (job.state === 'failed') return <JobEnd ok={false} error={job.error} aborted={job.aborted} stoppedWords="the check was not finished." onDone={onDone} />;
  const r = job.value;
  const first = r.problems[0];
  if (!first)
    return (
      <JobEnd ok headline={`VERIFIED: ${image.path} is intact`} onDone={onDone}>
        <Text>{`${r.checkedFiles} checksums and ${r.checkedPartitions} partition images checked in ${r.seconds.toFixed(1)} s.`}</Text>
      </JobEnd>
    );
  const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more problems)` : '';
  const error = new InvalidImageError(`DAMAGED: ${image.path}: ${first.reason}${more}`, { file: first.file, hint: 'restore from another copy of the image' });
  return <JobEnd ok={false} error={error} aborted={false} stoppedWords="" onDone={onDone} />;
}
