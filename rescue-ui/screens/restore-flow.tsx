// Restore an image (or, for boot repair, only its boot records): find the image, show what it holds and whether it
// verifies, choose the target with sizes compared, on a larger target whether the last partition grows to fill it,
// the library's plan and refusals, type the target's name, progress, and what was written.
import { Box, Text, useInput } from 'ink';
import { useCallback, useEffect, useState } from 'react';
import type { Disk, FoundImage, JobHooks, RestoreRequest } from '../backend/port.js';
import { ConfirmName } from '../components/confirm-name.js';
import { Frame } from '../components/frame.js';
import { ImageDetails } from '../components/image-details.js';
import { JobEnd } from '../components/job-end.js';
import { Loading } from '../components/loading.js';
import { PickDisk } from '../components/pick-disk.js';
import { PickImage } from '../components/pick-image.js';
import { Retry } from '../components/retry.js';
import { RunningJob } from '../components/running-job.js';
import { SelectList } from '../components/select-list.js';
import { diskFlags, diskWhat } from '../describe.js';
import { bytes, duration } from '../../core/format.js';
import { useBackend } from '../hooks/use-backend.js';
import { useJob } from '../hooks/use-job.js';
import { useLoad } from '../hooks/use-load.js';
import { useTheme } from '../hooks/use-theme.js';

type Step =
  | { s: 'image' }
  | { s: 'inspect'; image: FoundImage }
  | { s: 'target'; image: FoundImage }
  | { s: 'shrink'; req: RestoreRequest; sizeBytes: number }
  | { s: 'plan'; req: RestoreRequest; askGrow: boolean }
  | { s: 'run'; req: RestoreRequest };

/** Room beyond what the image needs from which growing the last partition is offered (less is alignment slack). */
export const growOfferBytes = 16 * 1024 * 1024;

/** How a disk compares with what the image needs, in words. */
export function sizeVerdict(d: Disk, image: FoundImage, bootOnly: boolean): string {
  if (bootOnly) return `${d.tableType} table, ${d.partitions.length} partitions (the image: ${image.tableType})`;
  return d.sizeBytes >= image.requiredBytes ? `big enough: ${bytes(d.sizeBytes)} >= ${bytes(image.requiredBytes)} needed` : `SMALLER: ${bytes(d.sizeBytes)} < ${bytes(image.requiredBytes)} needed (can shrink to fit)`;
}

export function RestoreFlow({ onDone, bootOnly = false }: { onDone: () => void; bootOnly?: boolean }) {
  const [step, setStep] = useState<Step>({ s: 'image' });
  const [refused, setRefused] = useState(false);
  const title = bootOnly ? 'Repair boot (boot records only)' : 'Restore an image';
  const keys = step.s === 'plan' ? (refused ? 'Esc back' : step.askGrow ? 'Up/Down choose  Enter next  Esc back' : 'type the name  Enter go  Esc back') : step.s === 'run' ? 'Esc stop the job  Enter back to the menu once it has ended' : step.s === 'inspect' ? 'Enter choose the target  Esc back' : 'Up/Down choose  Enter next  r look again  Esc back';
  return (
    <Frame title={title} keys={keys}>
      {step.s === 'image' && <PickImage question={bootOnly ? 'Which image holds the boot records?' : 'Which image do you want to restore?'} onPick={(image) => setStep({ s: 'inspect', image })} onBack={onDone} />}
      {step.s === 'inspect' && <Inspect image={step.image} onNext={() => setStep({ s: 'target', image: step.image })} onBack={() => setStep({ s: 'image' })} />}
      {step.s === 'target' && (
        <PickDisk
          question={bootOnly ? `Which disk gets the boot records of ${step.image.path}?` : `Restore ${step.image.path} onto which disk? Everything on it is overwritten.`}
          describe={(d) => ({ label: `${d.device}  ${bytes(d.sizeBytes)}  ${d.tableType}  ${diskWhat(d)}${diskFlags(d).length ? `  [${diskFlags(d).join(', ')}]` : ''}`, detail: sizeVerdict(d, step.image, bootOnly) })}
          onPick={(d) => {
            const req = { image: step.image, disk: d.device, bootOnly, grow: false };
            if (!bootOnly && d.sizeBytes < step.image.requiredBytes) setStep({ s: 'shrink', req, sizeBytes: d.sizeBytes });
            else setStep({ s: 'plan', req, askGrow: !bootOnly && step.image.last !== undefined && d.sizeBytes - step.image.requiredBytes >= growOfferBytes });
          }}
          onBack={() => setStep({ s: 'inspect', image: step.image })}
        />
      )}
      {step.s === 'plan' && (
        <Plan
          req={step.req}
          askGrow={step.askGrow}
          onGrow={(grow) => setStep({ s: 'plan', req: { ...step.req, grow }, askGrow: false })}
          onRefused={setRefused}
          onGo={() => setStep({ s: 'run', req: step.req })}
          onBack={() => setStep({ s: 'target', image: step.req.image })}
        />
      )}
      {step.s === 'shrink' && (
        <AskShrink
          image={step.req.image}
          disk={{ device: step.req.disk, sizeBytes: step.sizeBytes }}
          onShrink={() => setStep({ s: 'plan', req: { ...step.req, shrink: true }, askGrow: false })}
          onBack={() => setStep({ s: 'target', image: step.req.image })}
        />
      )}
      {step.s === 'run' && <Run req={step.req} onDone={onDone} />}
    </Frame>
  );
}

/** The target is smaller than the image's layout: fit the partitions to it (the plan shows the new sizes), or another disk. */
function AskShrink({ image, disk, onShrink, onBack }: { image: FoundImage; disk: { device: string; sizeBytes: number }; onShrink: () => void; onBack: () => void }) {
  return (
    <Box flexDirection="column">
      <Text>{`${disk.device} (${bytes(disk.sizeBytes)}) is smaller than the image's partitions (${bytes(image.requiredBytes)}).`}</Text>
      <Text>They can shrink to their used data; the new sizes are shown before writing.</Text>
      <Text bold>What should happen?</Text>
      <SelectList
        items={[
          { key: 'shrink', label: `Shrink the partitions to fit ${disk.device}`, value: true },
          { key: 'other', label: 'Choose another disk', value: false },
        ]}
        onSelect={(i) => (i.value ? onShrink() : onBack())}
        onBack={onBack}
      />
    </Box>
  );
}

/** The target is larger than the image needs: keep the image's partition sizes, or grow the last one to the end. */
function AskGrow({ image, disk, onChoose, onBack }: { image: FoundImage; disk: { device: string; sizeBytes: number }; onChoose: (grow: boolean) => void; onBack: () => void }) {
  const last = image.last!;
  const raw = last.fsType === undefined || last.fsType === 'dd';
  const growLabel = last.fsGrows
    ? `Grow ${last.name} and its ${last.fsType} to the disk's end`
    : raw
      ? `Grow ${last.name} to the disk's end (raw copy: only the partition grows)`
      : `Grow ${last.name} to the disk's end (only the partition: ${last.fsType} cannot grow)`;
  return (
    <Box flexDirection="column">
      <Text>{`${disk.device} has ${bytes(disk.sizeBytes - image.requiredBytes)} more than the image needs (${bytes(image.requiredBytes)} of ${bytes(disk.sizeBytes)}).`}</Text>
      <Text bold>What should happen to the extra space?</Text>
      <SelectList
        items={[
          { key: 'keep', label: 'Keep the partitions as in the image (the extra space stays free)', value: false },
          { key: 'grow', label: growLabel, value: true },
        ]}
        onSelect={(i) => onChoose(i.value)}
        onBack={onBack}
      />
    </Box>
  );
}

function Inspect({ image, onNext, onBack }: { image: FoundImage; onNext: () => void; onBack: () => void }) {
  useInput((_input, key) => {
    if (key.return) onNext();
    else if (key.escape) onBack();
  });
  return <ImageDetails image={image} />;
}

/**
 * The library's plan for the target: its steps and refusals. A target that can be written and is larger than the
 * image needs is first asked about (askGrow): keep the sizes or grow the last partition; that answer plans again.
 */
function Plan({ req, askGrow, onGrow, onGo, onBack, onRefused }: { req: RestoreRequest; askGrow: boolean; onGrow: (grow: boolean) => void; onGo: () => void; onBack: () => void; onRefused: (r: boolean) => void }) {
  const backend = useBackend();
  const theme = useTheme();
  const plan = useLoad(() => backend.planRestore(req), [req]);
  const refused = plan.state === 'ok' && plan.value.refusals.length > 0;
  useEffect(() => onRefused(refused), [refused, onRefused]);
  useInput((_input, key) => {
    if (key.escape && refused) onBack();
  }, { isActive: refused });
  if (plan.state === 'loading') return <Loading what="Checking the target and planning" onBack={onBack} />;
  if (plan.state === 'error') return <Retry error={plan.error} onBack={onBack} onRetry={plan.reload} />;
  const p = plan.value;
  return (
    <Box flexDirection="column">
      <Text bold>{`${req.bootOnly ? 'Boot records of' : 'Restore'} ${req.image.path} onto ${p.target.device} (${bytes(p.target.sizeBytes)}${p.target.model ? `, ${p.target.model}` : ''})`}</Text>
      {p.layout.map((l) => (
        <Text key={`layout ${l}`}>{`  ${l}`}</Text>
      ))}
      {p.steps.slice(0, 10).map((s) => (
        <Text key={s}>{`  - ${s}`}</Text>
      ))}
      {/* The notes' hints speak to the CLI's user (--grow): here the grow question stands for them. */}
      {!askGrow && p.warnings.map((w) => (
        <Text key={`${w.code} ${w.message}`}>{`  note: ${w.message}`}</Text>
      ))}
      <Text> </Text>
      {refused ? (
        <>
          {p.refusals.map((r) => (
            <Text key={`${r.code} ${r.message}`} bold color={theme.danger}>{`REFUSED: ${r.message}`}</Text>
          ))}
          <Text>Nothing was written. Esc: back, to choose another disk.</Text>
        </>
      ) : askGrow ? (
        <AskGrow image={req.image} disk={p.target} onChoose={onGrow} onBack={onBack} />
      ) : (
        <ConfirmName device={p.target.device} what={req.bootOnly ? `The boot records of ${p.target.device} are overwritten.` : `Everything on ${p.target.device} is overwritten.`} onConfirm={onGo} onCancel={onBack} />
      )}
    </Box>
  );
}

function Run({ req, onDone }: { req: RestoreRequest; onDone: () => void }) {
  const backend = useBackend();
  const run = useCallback((hooks: JobHooks) => backend.runRestore(req, hooks), [backend, req]);
  const { job, start, abort } = useJob(`the restore onto ${req.disk}`, 'restore', run);
  useEffect(() => start(), [start]);
  if (job.state === 'idle') return <Loading what="Starting" />;
  if (job.state === 'running')
    return <RunningJob title={`${req.image.path} -> ${req.disk}`} progress={job.progress} stopQuestion={`Stop? ${req.disk} is left incomplete.`} onStop={abort} />;
  if (job.state === 'failed') return <JobEnd ok={false} error={job.error} aborted={job.aborted} stoppedWords={`${req.disk} is incomplete; restore it again.`} onDone={onDone} />;
  const r = job.value;
  return (
    <JobEnd ok headline={`${req.bootOnly ? 'Boot records restored' : 'Restore complete'}: ${r.device} in ${duration(r.seconds)}`} onDone={onDone}>
      <Text>What was written:</Text>
      {r.steps.slice(0, 12).map((s) => (
        <Text key={s}>{`  - ${s}`}</Text>
      ))}
    </JobEnd>
  );
}
