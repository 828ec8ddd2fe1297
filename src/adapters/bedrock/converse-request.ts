import type { ContentBlock, ConverseCommandInput, Message } from '@aws-sdk/client-bedrock-runtime';
import { z } from 'zod';
import type { LlmContent, LlmMessage, StructuredRequest } from '../../ports/llm.js';

/** JSON Schemas by zod schema: the tool definition must be byte-identical across calls to stay cacheable. */
const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

export function toolInputSchema(schema: z.ZodType): Record<string, unknown> {
  let json = jsonSchemas.get(schema);
  if (!json) {
    // `input` mode: fields with defaults are optional for the model; the zod parse fills them in.
    const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    json = rest;
    jsonSchemas.set(schema, json);
  }
  return json;
}

function toContentBlock(content: LlmContent): ContentBlock {
  if (content.type === 'text') return { text: content.text };
  // The name is prompt-injectable and restricted to a few characters (aws.md §1): keep it neutral.
  const name = content.name.replace(/[^A-Za-z0-9 ()[\]-]+/g, ' ').trim() || 'paper';
  return { document: { name, format: content.format, source: { bytes: content.bytes } } };
}

export function toSdkMessages(messages: readonly LlmMessage[]): Message[] {
  return messages.map((message) => ({ role: message.role, content: message.content.map(toContentBlock) }));
}

/**
 * One Converse call with two cache points (aws.md §1): one after the tool definition and one after the system
 * prompt. Bedrock caches the prefix in the order tools → system → messages, so both must be byte-identical
 * across calls (the JSON Schema is memoised per zod schema, and the judge shows one for every batch, `shownSchema`)
 * for repeated calls to read them from the prompt cache instead of paying for them again. A prefix shorter than
 * the model's minimum (4,096 tokens for Claude Haiku 4.5, 1,024 for Sonnet 4.5) is simply not cached: Bedrock
 * then reports no cache reads or writes, and the call costs what it would without the cache points.
 */
export function toConverseInput<T>(request: StructuredRequest<T>, messages: Message[]): ConverseCommandInput {
  return {
    modelId: request.modelId,
    system: [{ text: request.system }, { cachePoint: { type: 'default' } }],
    messages,
    inferenceConfig: { maxTokens: request.maxTokens, temperature: request.temperature ?? 0 },
    toolConfig: {
      tools: [
        {
          toolSpec: {
            name: request.tool.name,
            description: request.tool.description,
            // The SDK types this as a DocumentType; it is sent as plain JSON (aws.md §1).
            inputSchema: { json: toolInputSchema(request.tool.shownSchema ?? request.tool.schema) as never },
          },
        },
        { cachePoint: { type: 'default' } },
      ],
      toolChoice: { tool: { name: request.tool.name } },
    },
  };
}
