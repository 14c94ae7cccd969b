// Back up a disk: the source disk, the store (a partition of another disk, mounted for the job), the image's name
// (the disk and the date), compression, the library's plan with free space and refusals, progress, the result.
import { Box, Text, useInput } from 'ink';
import { useCallback, useEffect, useState } from 'react';
import type { BackupRequest, CompressionChoice, Disk, Store } from '../backend/port.js';
import { Frame } from '../components/frame.js';
import { JobEnd } from '../components/job-end.js';
import { Loading } from '../components/loading.js';
import { PickDisk } from '../components/pick-disk.js';
import { Retry } from '../components/retry.js';
import { RunningJob } from '../components/running-job.js';
import { SelectList } from '../components/select-list.js';
import { TextInput } from '../components/text-input.js';
import { diskFlags, diskWhat, storeLine } from '../describe.js';
import { bytes, duration } from '../../core/format.js';
import { useBackend } from '../hooks/use-backend.js';
import { useJob } from '../hooks/use-job.js';
import { useLoad } from '../hooks/use-load.js';
import { useTheme } from '../hooks/use-theme.js';
import { defaultImageName } from '../../imager/jobs/naming.js';

type Step =
  | { s: 'source' }
  | { s: 'store'; disk: Disk }
  | { s: 'name'; disk: Disk; store: Store }
  | { s: 'compression'; disk: Disk; store: Store; name: string }
  | { s: 'summary'; disk: Disk; req: BackupRequest }
  | { s: 'run'; disk: Disk; req: BackupRequest };

const compressions: { value: CompressionChoice; label: string }[] = [
  { value: 'zstd', label: 'zstd   fast, good ratio (recommended)' },
  { value: 'gzip', label: 'gzip   what older Clonezilla versions default to' },
  { value: 'xz', label: 'xz     smallest, slowest' },
  { value: 'none', label: 'none   no compression' },
];

export function BackupFlow({ onDone, now }: { onDone: () => void; now?: Date }) {
  const [step, setStep] = useState<Step>({ s: 'source' });
  const keys = step.s === 'name' ? 'type a name  Enter next  Esc back' : step.s === 'run' ? 'Esc stop the job  Enter back to the menu once it has ended' : 'Up/Down choose  Enter next  Esc back';
  return (
    <Frame title="Back up a disk" keys={keys}>
      {step.s === 'source' && (
        <PickDisk
          question="Which disk do you want to back up?"
          describe={(d) => ({ label: `${d.device}  ${bytes(d.sizeBytes)}  ${d.tableType}  ${diskWhat(d)}${diskFlags(d).length ? `  [${diskFlags(d).join(', ')}]` : ''}`, detail: `${d.partitions.length} partitions: ${d.partitions.map((p) => p.fs.type ?? '-').join(', ')}` })}
          onPick={(disk) => setStep({ s: 'store', disk })}
          onBack={onDone}
        />
      )}
      {step.s === 'store' && <PickStore disk={step.disk} onPick={(store) => setStep({ s: 'name', disk: step.disk, store })} onBack={() => setStep({ s: 'source' })} />}
      {step.s === 'name' && <ChooseName disk={step.disk} store={step.store} now={now} onName={(name) => setStep({ s: 'compression', disk: step.disk, store: step.store, name })} onBack={() => setStep({ s: 'store', disk: step.disk })} />}
      {step.s === 'compression' && (
        <>
          <Text bold>How should the image be compressed?</Text>
          <SelectList
            items={compressions.map((c) => ({ key: c.value, label: c.label, value: c.value }))}
            onSelect={(c) => setStep({ s: 'summary', disk: step.disk, req: { disk: step.disk.device, store: step.store, name: step.name, compression: c.value } })}
            onBack={() => setStep({ s: 'name', disk: step.disk, store: step.store })}
          />
        </>
      )}
      {step.s === 'summary' && <Summary req={step.req} onStart={() => setStep({ s: 'run', disk: step.disk, req: step.req })} onBack={() => setStep({ s: 'compression', disk: step.disk, store: step.req.store, name: step.req.name })} />}
      {step.s === 'run' && <Run req={step.req} onDone={onDone} />}
    </Frame>
  );
}

function PickStore({ disk, onPick, onBack }: { disk: Disk; onPick: (s: Store) => void; onBack: () => void }) {
  const backend = useBackend();
  const stores = useLoad(() => backend.listStores(disk.device), [disk.device]);
  if (stores.state === 'loading') return <Loading what="Looking for partitions that can hold the image" onBack={onBack} />;
  if (stores.state === 'error') return <Retry error={stores.error} onBack={onBack} onRetry={stores.reload} />;
  return (
    <>
      <Text bold>{`Where should the image of ${disk.device} go?`}</Text>
      {stores.value.length === 0 && <Text>{`No partition on another disk can hold it. Attach a disk with a filesystem (ext4, xfs, vfat, exfat, ntfs) and press r.`}</Text>}
      <SelectList items={stores.value.map((s) => ({ key: s.device, label: storeLine(s), value: s }))} onSelect={(i) => onPick(i.value)} onBack={onBack} onKey={(k) => k === 'r' && stores.reload()} />
    </>
  );
}

function ChooseName({ disk, store, now, onName, onBack }: { disk: Disk; store: Store; now: Date | undefined; onName: (n: string) => void; onBack: () => void }) {
  const [name, setName] = useState(() => defaultImageName(disk.name, now));
  return (
    <Box flexDirection="column">
      <Text bold>{`Name of the image on ${store.device}:`}</Text>
      <TextInput value={name} onChange={setName} onSubmit={(n) => n.trim() && onName(n.trim())} onCancel={onBack} allowed={/^[A-Za-z0-9._-]$/} />
      <Text> </Text>
      <Text>Letters, digits, dot, dash and underscore. The image is a folder of that name.</Text>
    </Box>
  );
}

function Summary({ req, onStart, onBack }: { req: BackupRequest; onStart: () => void; onBack: () => void }) {
  const backend = useBackend();
  const theme = useTheme();
  const plan = useLoad(() => backend.planBackup(req), [req]);
  useInput((_input, key) => {
    if (plan.state !== 'ok') return; // Loading and Retry take Esc themselves
    if (key.escape) onBack();
    else if (key.return && plan.value.refusals.length === 0) onStart();
  });
  if (plan.state === 'loading') return <Loading what={`Mounting ${req.store.device} and planning the backup`} onBack={onBack} />;
  if (plan.state === 'error') return <Retry error={plan.error} onBack={onBack} onRetry={plan.reload} />;
  const p = plan.value;
  return (
    <Box flexDirection="column">
      <Text bold>Summary: nothing is written until you press Enter</Text>
      <Text>{`Source       ${p.source.device} (${p.source.tableType}, ${bytes(p.source.sizeBytes)})`}</Text>
      <Text>{`Image        ${p.imageDir}`}</Text>
      <Text>{`Compression  ${req.compression}`}</Text>
      {p.partitions.slice(0, 8).map((x, n) => (
        <Text key={x.name}>{`${n === 0 ? 'Partitions' : ''}`.padEnd(13) + `${x.name.padEnd(12)} ${x.what.padEnd(24)} ${x.bytes ? bytes(x.bytes) : ''}`}</Text>
      ))}
      <Text>{`Space        needs up to ${bytes(p.requiredBytes)}; ${bytes(p.freeBytes)} free on ${req.store.device}`}</Text>
      <Text> </Text>
      {p.refusals.length > 0 ? (
        <>
          {p.refusals.map((r) => (
            <Text key={`${r.code} ${r.message}`} bold color={theme.danger}>{`REFUSED: ${r.message}`}</Text>
          ))}
          <Text>Esc: back, to change the choice</Text>
        </>
      ) : (
        <Text bold>Enter: start the backup   Esc: back</Text>
      )}
    </Box>
  );
}

function Run({ req, onDone }: { req: BackupRequest; onDone: () => void }) {
  const backend = useBackend();
  const run = useCallback((hooks: Parameters<typeof backend.runBackup>[1]) => backend.runBackup(req, hooks), [backend, req]);
  const { job, start, abort } = useJob(`the backup of ${req.disk}`, 'backup', run);
  useEffect(() => start(), [start]);
  if (job.state === 'idle') return <Loading what="Starting" />;
  if (job.state === 'running') return <RunningJob title={`${req.disk} -> ${req.store.device}:/${req.name}`} progress={job.progress} stopQuestion="Stop the backup? The partial image is removed." onStop={abort} />;
  if (job.state === 'failed') return <JobEnd ok={false} error={job.error} aborted={job.aborted} stoppedWords="the backup was interrupted; the partial image was removed." onDone={onDone} />;
  const r = job.value;
  const v = r.verified;
  return (
    <JobEnd ok headline={`Backup complete: ${r.imageDir}`} onDone={onDone}>
      <Text>{`Size         ${bytes(r.bytes)} (${r.partitions} partitions)`}</Text>
      <Text>{`Time         ${duration(r.seconds)}`}</Text>
      <Text>{`Verification ${v.ok ? `OK: ${v.checkedFiles} checksums, ${v.checkedPartitions} partition images checked in ${v.seconds.toFixed(1)} s` : `FAILED: ${v.problems[0]?.file}: ${v.problems[0]?.reason}`}`}</Text>
    </JobEnd>
  );
}
