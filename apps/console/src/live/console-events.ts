/** The /console socket events (protocols/v1/console.md), typed by the schemas the coordinator validates them against. */
import type { MessageOf } from '@shoal/protocol';

export type RoundStarted = MessageOf<'console-round-started'>;
export type RoundProgress = MessageOf<'console-round-progress'>;
export type RoundFinished = MessageOf<'console-round-finished'>;
export type JobStatusChange = MessageOf<'console-job-status'>;
export type ClientPresence = MessageOf<'console-client-presence'>;

export interface ConsoleServerToClientEvents {
  'round:started': (event: RoundStarted) => void;
  'round:progress': (event: RoundProgress) => void;
  'round:finished': (event: RoundFinished) => void;
  'job:status': (event: JobStatusChange) => void;
  'client:online': (event: ClientPresence) => void;
  'client:offline': (event: ClientPresence) => void;
}

export const CONSOLE_NAMESPACE = '/console';
export const PROTOCOL_VERSION = 1;
