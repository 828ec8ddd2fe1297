/** `us.anthropic.claude-haiku-4-5-20251001-v1:0` → `claude-haiku-4-5`: the part people recognise. */
export function modelLabel(modelId: string): string {
  const name = modelId.split('.').slice(-1)[0] ?? modelId;
  return name.replace(/-\d{8}(-v\d+(:\d+)?)?$/, '').replace(/-v\d+(:\d+)?$/, '');
}
