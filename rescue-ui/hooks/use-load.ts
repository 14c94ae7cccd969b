// Loads something from the backend when a screen opens: loading, the value, or the error; reload() asks again.
import { useCallback, useEffect, useState } from 'react';

export type Loaded<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; error: Error };

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

/**
 * A result belongs to the inputs it was loaded for: in the render where the inputs change it is already
 * 'loading', so a screen never draws the previous answer (a stale plan's confirmation) for a moment.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Loaded<T> & { reload: () => void } {
  const [round, setRound] = useState(0);
  const key = [round, ...deps];
  const [result, setResult] = useState<{ key: readonly unknown[]; loaded: Loaded<T> }>({ key, loaded: { state: 'loading' } });
  useEffect(() => {
    let live = true;
    setResult({ key, loaded: { state: 'loading' } });
    load().then(
      (value) => live && setResult({ key, loaded: { state: 'ok', value } }),
      (error: unknown) => live && setResult({ key, loaded: { state: 'error', error: error instanceof Error ? error : new Error(String(error)) } }),
    );
    return () => {
      live = false;
    };
  }, key);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...(same(result.key, key) ? result.loaded : { state: 'loading' as const }), reload };
}
