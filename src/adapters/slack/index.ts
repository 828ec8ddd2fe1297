export { SlackChat, type SlackChatOptions } from './slack-chat.js';
export { toChatError } from './web-api-error.js';
export { openSocketModeUrl } from './app-token.js';
