/**
 * Where a worker thread of this folder starts. Compiled JavaScript runs the worker's sibling `.js`; TypeScript
 * source (tsx, vitest) goes through a bootstrap that registers tsx in the worker first.
 */
export function workerEntry(name: 'read-worker' | 'maintenance-worker'): {
  url: URL;
  entry: string | undefined;
} {
  if (!import.meta.url.endsWith('.ts')) {
    return { url: new URL(`./${name}.js`, import.meta.url), entry: undefined };
  }
  return {
    url: new URL('./ts-worker-bootstrap.mjs', import.meta.url),
    entry: new URL(`./${name}.ts`, import.meta.url).href,
  };
}
