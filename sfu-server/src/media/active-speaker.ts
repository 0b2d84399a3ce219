// Active-speaker detection for one room: one observer on the room's first router,
// fed with every audio producer (piped there when it lives on another router).

import type { Logger } from '@lienthong/kit';
import type { types } from 'mediasoup';
import type { RouterSlot, RouterSlots } from './router-slots';

export class ActiveSpeaker {
  private observer: types.ActiveSpeakerObserver | undefined;
  private slot: RouterSlot | undefined;

  constructor(
    private readonly slots: RouterSlots,
    private readonly logger: Logger,
    private readonly onSpeaker: (peerId: string | null) => void,
  ) {}

  async observe(producerId: string, from: RouterSlot): Promise<void> {
    try {
      if (!this.observer) {
        this.slot = this.slots.first();
        if (!this.slot) return;
        const obs = await this.slot.router.createActiveSpeakerObserver({ interval: 300 });
        this.observer = obs;
        obs.on('dominantspeaker', ({ producer }) => this.onSpeaker((producer.appData.peerId as string) ?? null));
      }
      await this.slots.ensurePiped(producerId, from, this.slot!);
      await this.observer.addProducer({ producerId });
    } catch (e) {
      this.logger.debug({ err: e, producerId }, 'active speaker observation not added');
    }
  }

  /** Its router died with a worker: a new observer starts with the next audio producer. */
  routersLost(dead: readonly RouterSlot[]): void {
    if (this.slot && dead.includes(this.slot)) {
      this.observer = undefined;
      this.slot = undefined;
    }
  }
}
