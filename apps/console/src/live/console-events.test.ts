import { describe, expectTypeOf, it } from 'vitest';
import type { MessageOf } from '@shoal/protocol';
// Type-only: the coordinator's side of the /console event map, to check both ends name the same events and payloads.
import type { ConsoleServerToClientEvents as CoordinatorSide } from '../../../../packages/server/src/console/console-gateway.js';
import type { ConsoleServerToClientEvents } from './console-events.js';

describe('/console event map', () => {
  it('is the same on the coordinator and in the console, and typed by the protocols/v1 schemas', () => {
    expectTypeOf<keyof ConsoleServerToClientEvents>().toEqualTypeOf<keyof CoordinatorSide>();
    expectTypeOf<Parameters<ConsoleServerToClientEvents['round:started']>[0]>().toEqualTypeOf<Parameters<CoordinatorSide['round:started']>[0]>();
    expectTypeOf<Parameters<ConsoleServerToClientEvents['round:started']>[0]>().toEqualTypeOf<MessageOf<'console-round-started'>>();
    expectTypeOf<Parameters<ConsoleServerToClientEvents['round:progress']>[0]>().toEqualTypeOf<MessageOf<'console-round-progress'>>();
    expectTypeOf<Parameters<CoordinatorSide['round:progress']>[0]>().toEqualTypeOf<MessageOf<'console-round-progress'>>();
    expectTypeOf<Parameters<ConsoleServerToClientEvents['round:finished']>[0]>().toEqualTypeOf<Parameters<CoordinatorSide['round:finished']>[0]>();
    expectTypeOf<Parameters<ConsoleServerToClientEvents['job:status']>[0]>().toEqualTypeOf<Parameters<CoordinatorSide['job:status']>[0]>();
    expectTypeOf<Parameters<ConsoleServerToClientEvents['client:online']>[0]>().toEqualTypeOf<Parameters<CoordinatorSide['client:online']>[0]>();
    expectTypeOf<Parameters<ConsoleServerToClientEvents['client:offline']>[0]>().toEqualTypeOf<MessageOf<'console-client-presence'>>();
  });
});
