/**
 * Block Kit as Sherpa builds it: the subset of Slack's layout blocks that its messages, modals and home tab use,
 * written as plain structural types. Message builders and the Chat port describe what a user sees with these, so
 * that only the Slack adapter and `handlers/` import a Slack package; the adapter hands them to the Web API as they
 * are (Slack's own types accept every shape here).
 */

export interface PlainTextElement {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface MrkdwnElement {
  type: 'mrkdwn';
  text: string;
  verbatim?: boolean;
}

export type TextElement = PlainTextElement | MrkdwnElement;

export interface ConfirmationDialog {
  title: PlainTextElement;
  text: TextElement;
  confirm: PlainTextElement;
  deny: PlainTextElement;
  style?: 'primary' | 'danger';
}

export interface Button {
  type: 'button';
  text: PlainTextElement;
  action_id: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmationDialog;
  accessibility_label?: string;
}

export interface PlainTextInput {
  type: 'plain_text_input';
  action_id: string;
  placeholder?: PlainTextElement;
  initial_value?: string;
  multiline?: boolean;
  min_length?: number;
  max_length?: number;
}

export interface ImageElement {
  type: 'image';
  image_url: string;
  alt_text: string;
}

export interface SectionBlock {
  type: 'section';
  block_id?: string;
  text?: TextElement;
  fields?: TextElement[];
  accessory?: Button | ImageElement;
}

export interface ContextBlock {
  type: 'context';
  block_id?: string;
  elements: (TextElement | ImageElement)[];
}

export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: Button[];
}

export interface HeaderBlock {
  type: 'header';
  block_id?: string;
  text: PlainTextElement;
}

export interface DividerBlock {
  type: 'divider';
  block_id?: string;
}

export interface ImageBlock {
  type: 'image';
  block_id?: string;
  image_url: string;
  alt_text: string;
  title?: PlainTextElement;
}

export interface InputBlock {
  type: 'input';
  block_id?: string;
  label: PlainTextElement;
  element: PlainTextInput;
  hint?: PlainTextElement;
  optional?: boolean;
}

export type KnownBlock =
  SectionBlock | ContextBlock | ActionsBlock | HeaderBlock | DividerBlock | ImageBlock | InputBlock;

export interface ModalView {
  type: 'modal';
  title: PlainTextElement;
  blocks: KnownBlock[];
  callback_id?: string;
  private_metadata?: string;
  submit?: PlainTextElement;
  close?: PlainTextElement;
  external_id?: string;
  clear_on_close?: boolean;
  notify_on_close?: boolean;
}

export interface HomeView {
  type: 'home';
  blocks: KnownBlock[];
  callback_id?: string;
  private_metadata?: string;
  external_id?: string;
}
