// Loads something from the backend when a screen opens: loading, the value, or the error; reload() asks again.
import { useCallback, useEffect, useState } from 'react';

export type Loaded<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; error: Error };

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Loaded<T> & { reload: () => void } {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    load().then(
      (value) => live && setResult({ state: 'ok', value }),
      (error: unknown) => live && setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      live = false;
    };
  }, [round, ...deps]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...result, reload };
}
