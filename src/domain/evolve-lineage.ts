import { createTwoFilesPatch } from 'diff';
import type { EvolveSearch, Variant } from './evolve-search.js';

/** The children from the original to the search's current parent, oldest first. */
export function lineageOf(search: EvolveSearch): Variant[] {
  const chain: Variant[] = [];
  let hash = search.parentHash;
  while (hash !== search.origin.codeHash) {
    const child = search.variants.find((v) => v.role === 'child' && v.codeHash === hash);
    if (!child || chain.includes(child)) break;
    chain.unshift(child);
    hash = child.parentHash;
  }
  return chain;
}

/** The best variant's diff against the original script (not against its own parent): what the search changed. */
export function diffFromOrigin(originCode: string, bestCode: string): string {
  return createTwoFilesPatch('a/train.py', 'b/train.py', originCode, bestCode, 'original', 'best');
}
