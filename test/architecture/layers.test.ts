// The layers of the source tree (README, "Architecture"): no import cycle between top-level folders, and core/
// depends on nothing of ours. Reads every import, static and dynamic, as text: a lazy import is still a dependency.
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tops = ['core', 'imager', 'iso-config', 'builder', 'cli', 'rescue-ui', 'live', 'harness', 'bench'];

/** Folder → the other top-level folders its files import from. */
async function folderGraph(): Promise<Map<string, Map<string, string>>> {
  const graph = new Map<string, Map<string, string>>();
  for (const top of tops) {
    const edges = new Map<string, string>();
    graph.set(top, edges);
    const files = (await readdir(path.join(repo, top), { recursive: true })).filter((f) => /\.tsx?$/.test(f));
    for (const f of files) {
      const file = path.join(repo, top, f);
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = path.relative(repo, path.resolve(path.dirname(file), m[1]!)).split(path.sep)[0]!;
        if (target !== top && tops.includes(target) && !edges.has(target)) edges.set(target, `${top}/${f} imports ${m[1]}`);
      }
    }
  }
  return graph;
}

/** Every cycle's folders, found by depth-first search from each folder (the graph is small). */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const found: string[][] = [];
  const walk = (start: string, at: string, pathSoFar: string[]) => {
    for (const next of graph.get(at)?.keys() ?? []) {
      if (next === start) found.push([...pathSoFar, start]);
      else if (!pathSoFar.includes(next) && next > start) walk(start, next, [...pathSoFar, next]);
    }
  };
  for (const top of graph.keys()) walk(top, top, [top]);
  return found;
}

test('no import cycle between top-level folders', async (t) => {
  const graph = await folderGraph();
  const found = cycles(graph);
  const explain = found.map((c) => c.slice(1).map((to, i) => graph.get(c[i]!)!.get(to)!).join('; '));
  t.deepEqual(explain, []);
});

test('the cycle check finds a cycle when there is one', (t) => {
  const graph = new Map([
    ['a', new Map([['b', 'a→b']])],
    ['b', new Map([['c', 'b→c']])],
    ['c', new Map([['a', 'c→a']])],
    ['d', new Map([['a', 'd→a']])],
  ]);
  t.deepEqual(cycles(graph), [['a', 'b', 'c', 'a']]);
});

test('core/ imports nothing of ours outside core/', async (t) => {
  const graph = await folderGraph();
  t.deepEqual([...graph.get('core')!.values()], []);
});

test('imager/ does not import a face (cli, rescue-ui, live) or the builder', async (t) => {
  const graph = await folderGraph();
  const faces = ['cli', 'rescue-ui', 'live', 'builder', 'bench', 'harness'];
  t.deepEqual([...graph.get('imager')!.entries()].filter(([to]) => faces.includes(to)).map(([, why]) => why), []);
});
