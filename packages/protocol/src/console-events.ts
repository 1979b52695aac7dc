/**
 * The socket.io /console namespace (protocols/v1/console.md): its name and the events an administrator's browser
 * receives, typed by their schemas. Served as `@shoal/protocol/console`, which imports nothing from Node, so the
 * console's bundle and the coordinator share this one definition.
 */
import type { MessageOf } from './message-types.js';
import { PROTOCOL_VERSION } from './protocol-version.js';

export { PROTOCOL_VERSION };

export const CONSOLE_NAMESPACE = '/console';

/** The events a console receives, typed by their schemas. It sends none: the coordinator ignores anything a console emits. */
export interface ConsoleServerToClientEvents {
  'round:started': (event: MessageOf<'console-round-started'>) => void;
  'round:progress': (event: MessageOf<'console-round-progress'>) => void;
  'round:finished': (event: MessageOf<'console-round-finished'>) => void;
  'job:status': (event: MessageOf<'console-job-status'>) => void;
  'client:online': (event: MessageOf<'console-client-presence'>) => void;
  'client:offline': (event: MessageOf<'console-client-presence'>) => void;
}
