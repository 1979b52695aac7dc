/**
 * Calls an asynchronous worker thread synchronously: the caller posts a request on a MessagePort and blocks in
 * Atomics.wait on a shared flag; the worker answers on the port and raises the flag; the caller reads the answer with
 * receiveMessageOnPort. This lets a synchronous interface (the Store) sit on an asynchronous driver (node-postgres).
 * A worker that does not answer within `timeoutMs` (crashed, wedged) fails the call instead of blocking forever.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { ShoalError, type WireError } from '@shoal/protocol';
import { startTsWorker } from '../../workers/ts-worker.js';

type Reply<Result> = { id: number; ok: true; result: Result } | { id: number; ok: false; error: WireError };

/** What the worker finds in `workerData.bridge`. */
export interface BridgeEnd {
  port: MessagePort;
  signal: Int32Array;
}

export interface SyncBridgeOptions {
  /** Names the worker in errors. */
  name: string;
  /** How long one call may wait for its answer. */
  timeoutMs: number;
  /** Passed to the worker as `workerData.options`. */
  options?: unknown;
}

export class SyncBridge<Request, Result> {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;
  private closed = false;

  constructor(
    moduleUrl: URL,
    private readonly settings: SyncBridgeOptions,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const bridge: BridgeEnd = { port: port2, signal: this.signal };
    this.worker = startTsWorker(moduleUrl, { workerData: { bridge, options: settings.options }, transferList: [port2] });
    // The caller never waits on the worker asynchronously, so it must not keep the process alive.
    this.worker.unref();
  }

  /** Sends one request and blocks until its answer; the worker's error is rethrown as a ShoalError. */
  call(request: Request): Result {
    if (this.closed) throw new ShoalError('INTERNAL', `${this.settings.name} is closed`);
    const id = this.nextId++;
    const deadline = Date.now() + this.settings.timeoutMs;
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage({ id, request });
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) {
        const reply = received.message as Reply<Result>;
        // An answer to an earlier call that timed out: drop it and keep waiting for ours.
        if (reply.id !== id) continue;
        if (reply.ok) return reply.result;
        throw ShoalError.fromWire(reply.error);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new ShoalError('INTERNAL', `${this.settings.name} did not answer within ${this.settings.timeoutMs} ms (its worker stopped or lost its connection)`);
      }
      // Woken by the worker's flag (or the timeout); lowered before reading the port, so a later answer wakes us again.
      Atomics.wait(this.signal, 0, 0, remaining);
      Atomics.store(this.signal, 0, 0);
    }
  }

  /** Stops the worker; calls after this fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }
}

/** The worker side: answers each request with `handle`, then raises the caller's flag. */
export function serveSyncBridge<Request, Result>(bridge: BridgeEnd, handle: (request: Request) => Promise<Result>): void {
  bridge.port.on('message', (message: { id: number; request: Request }) => {
    handle(message.request).then(
      (result) => answer(bridge, { id: message.id, ok: true, result }),
      (error: unknown) => answer(bridge, { id: message.id, ok: false, error: ShoalError.from(error).toWire() }),
    );
  });
}

function answer<Result>(bridge: BridgeEnd, reply: Reply<Result>): void {
  bridge.port.postMessage(reply);
  Atomics.store(bridge.signal, 0, 1);
  Atomics.notify(bridge.signal, 0);
}
