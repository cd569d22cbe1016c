// Entry of the on-device page: the monitor page itself (web/monitor/app.js), with its WebSocket served
// by the monitor core in this page (local-socket.ts). The socket is installed first, so the page's
// code finds it when it connects.
import { LocalSocket, onDeviceHooks } from './local-socket.js';

(globalThis as unknown as { WebSocket: unknown }).WebSocket = LocalSocket;
(globalThis as unknown as { __affexionOnDevice: unknown }).__affexionOnDevice = onDeviceHooks;
document.documentElement.dataset.mode = 'on-device';
// @ts-expect-error — the page's plain-JS entry (no types)
await import('../monitor/app.js');
