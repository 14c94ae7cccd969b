// Clone a disk onto another, no image in between: choose the source, then the target with sizes compared, on a
// larger target whether the last partition grows, the library's plan and refusals, the target's name typed,
// progress, and what was written. The source is only read.
import { Box, Text } from 'ink';
import { useCallback, useEffect, useState } from 'react';
import type { CloneRequest, Disk, JobHooks } from '../backend/port.js';
import { ConfirmName } from '../components/confirm-name.js';
import { Frame } from '../components/frame.js';
import { JobEnd } from '../components/job-end.js';
import { Loading } from '../components/loading.js';
import { PickDisk } from '../components/pick-disk.js';
import { Retry } from '../components/retry.js';
import { RunningJob } from '../components/running-job.js';
import { SelectList } from '../components/select-list.js';
import { diskLine } from '../describe.js';
import { bytes, duration } from '../../core/format.js';
import { useBackend } from '../hooks/use-backend.js';
import { useJob } from '../hooks/use-job.js';
import { useLoad } from '../hooks/use-load.js';
import { useTheme } from '../hooks/use-theme.js';
import { growOfferBytes } from './restore-flow.js';

type Step = { s: 'source' } | { s: 'target'; source: Disk } | { s: 'plan'; req: CloneRequest; askGrow: boolean } | { s: 'run'; req: CloneRequest };

export function CloneFlow({ onDone }: { onDone: () => void }) {
  const [step, setStep] = useState<Step>({ s: 'source' });
  const keys = step.s === 'plan' ? (step.askGrow ? 'Up/Down choose  Enter next  Esc back' : 'type the name  Enter go  Esc back') : step.s === 'run' ? 'Esc stop the job  Enter back to the menu once it has ended' : 'Up/Down choose  Enter next  r look again  Esc back';
  return (
    <Frame title="Clone a disk" keys={keys}>
      {step.s === 'source' && <PickDisk question="Which disk do you want to copy? It is only read." describe={(d) => ({ label: diskLine(d) })} onPick={(source) => setStep({ s: 'target', source })} onBack={onDone} />}
      {step.s === 'target' && (
        <PickDisk
          question={`Copy ${step.source.device} onto which disk? Everything on it is overwritten.`}
          describe={(d) => ({ label: diskLine(d), detail: d.device === step.source.device ? 'the source itself' : d.sizeBytes >= step.source.sizeBytes ? `big enough: ${bytes(d.sizeBytes)} >= ${bytes(step.source.sizeBytes)}` : `smaller: ${bytes(d.sizeBytes)} < ${bytes(step.source.sizeBytes)}` })}
          onPick={(d) => setStep({ s: 'plan', req: { source: step.source.device, target: d.device, grow: false }, askGrow: d.device !== step.source.device && d.sizeBytes - step.source.sizeBytes >= growOfferBytes })}
          onBack={() => setStep({ s: 'source' })}
        />
      )}
      {step.s === 'plan' && (
        <Plan
          req={step.req}
          askGrow={step.askGrow}
          onGrow={(grow) => setStep({ s: 'plan', req: { ...step.req, grow }, askGrow: false })}
          onShrink={() => setStep({ s: 'plan', req: { ...step.req, shrink: true }, askGrow: false })}
          onGo={() => setStep({ s: 'run', req: step.req })}
          onBack={() => setStep({ s: 'source' })}
        />
      )}
      {step.s === 'run' && <Run req={step.req} onDone={onDone} />}
    </Frame>
  );
}

/** The library's plan: its steps and refusals; a larger target is first asked about growing the last partition. */
function Plan({ req, askGrow, onGrow, onShrink, onGo, onBack }: { req: CloneRequest; askGrow: boolean; onGrow: (grow: boolean) => void; onShrink: () => void; onGo: () => void; onBack: () => void }) {
  const backend = useBackend();
  const theme = useTheme();
  const plan = useLoad(() => backend.planClone(req), [req]);
  if (plan.state === 'loading') return <Loading what="Checking both disks and planning" onBack={onBack} />;
  if (plan.state === 'error') return <Retry error={plan.error} onBack={onBack} onRetry={plan.reload} />;
  const p = plan.value;
  // A smaller target whose used data would fit: the library says so by its code, and shrinking is offered.
  const canShrink = !req.shrink && p.refusals.length === 1 && p.refusals[0]!.code === 'needs-shrink';
  const refused = p.refusals.length > 0 && !canShrink;
  return (
    <Box flexDirection="column">
      <Text bold>{`Clone ${p.source.device} onto ${p.target.device} (${bytes(p.target.sizeBytes)}${p.target.model ? `, ${p.target.model}` : ''})`}</Text>
      {p.layout.map((l) => (
        <Text key={`layout ${l}`}>{`  ${l}`}</Text>
      ))}
      {!canShrink &&
        p.steps.slice(0, 10).map((s) => (
          <Text key={s}>{`  - ${s}`}</Text>
        ))}
      {!askGrow && p.warnings.map((w) => <Text key={`${w.code} ${w.message}`}>{`  note: ${w.message}`}</Text>)}
      <Text> </Text>
      {refused ? (
        <>
          {p.refusals.map((r) => (
            <Text key={`${r.code} ${r.message}`} bold color={theme.danger}>{`REFUSED: ${r.message}`}</Text>
          ))}
          <Text>Nothing was written.</Text>
          <SelectList items={[{ key: 'back', label: 'Back, to choose other disks', value: 'back' }]} onSelect={onBack} onBack={onBack} />
        </>
      ) : canShrink ? (
        <>
          <Text>{`${p.target.device} (${bytes(p.target.sizeBytes)}) is smaller than ${p.source.device}'s partitions (${bytes(p.requiredBytes)}).`}</Text>
          <Text>They can shrink to their used data; the new sizes are shown before writing.</Text>
          <Text bold>What should happen?</Text>
          <SelectList
            items={[
              { key: 'shrink', label: `Shrink the partitions to fit ${p.target.device}`, value: true },
              { key: 'back', label: 'Back, to choose other disks', value: false },
            ]}
            onSelect={(i) => (i.value ? onShrink() : onBack())}
            onBack={onBack}
          />
        </>
      ) : askGrow ? (
        <>
          <Text>{`${p.target.device} has ${bytes(p.target.sizeBytes - p.requiredBytes)} more than the source's partitions need.`}</Text>
          <Text bold>What should happen to the extra space?</Text>
          <SelectList
            items={[
              { key: 'keep', label: 'Keep the partitions as on the source (the extra space stays free)', value: false },
              { key: 'grow', label: "Grow the last partition and its filesystem to the disk's end", value: true },
            ]}
            onSelect={(i) => onGrow(i.value)}
            onBack={onBack}
          />
        </>
      ) : (
        <ConfirmName device={p.target.device} what={`Everything on ${p.target.device} is overwritten.`} onConfirm={onGo} onCancel={onBack} />
      )}
    </Box>
  );
}

function Run({ req, onDone }: { req: CloneRequest; onDone: () => void }) {
  const backend = useBackend();
  const run = useCallback((hooks: JobHooks) => backend.runClone(req, hooks), [backend, req]);
  const { job, start, abort } = useJob(`the clone onto ${req.target}`, 'clone', run);
  useEffect(() => start(), [start]);
  if (job.state === 'idle') return <Loading what="Starting" />;
  if (job.state === 'running') return <RunningJob title={`${req.source} -> ${req.target}`} progress={job.progress} stopQuestion={`Stop? ${req.target} is left incomplete.`} onStop={abort} />;
  if (job.state === 'failed') return <JobEnd ok={false} error={job.error} aborted={job.aborted} stoppedWords={`${req.target} is incomplete; clone it again (${req.source} was only read).`} onDone={onDone} />;
  const r = job.value;
  return (
    <JobEnd ok headline={`Clone complete: ${r.source} -> ${r.device} in ${duration(r.seconds)}`} onDone={onDone}>
      <Text>What was written:</Text>
      {r.steps.slice(0, 12).map((s) => (
        <Text key={s}>{`  - ${s}`}</Text>
      ))}
    </JobEnd>
  );
}
