import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { projectPath } from '../project-root.js';

const ManifestSchema = z.object({
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()).min(1) }) }),
});

/** The bot scopes `manifest.yml` asks for: what the token must have been granted. */
export function manifestBotScopes(path: string | URL = projectPath('manifest.yml')): string[] {
  return ManifestSchema.parse(parse(readFileSync(path, 'utf8'))).oauth_config.scopes.bot;
}
