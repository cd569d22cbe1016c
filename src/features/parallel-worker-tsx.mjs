// Worker entry when Affexion runs from TypeScript sources (tsx): tsx's loader does not reach worker
// threads by itself, so register it here, then load the TypeScript worker. The built package (dist/)
// starts parallel-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./parallel-worker.ts');
