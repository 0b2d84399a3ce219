// What each wiring step started and must stop on close, stopped in reverse order.
export type Stopper = () => void | Promise<void>;

export class Stoppers {
  private readonly list: Stopper[] = [];

  add(s: Stopper): void {
    this.list.push(s);
  }

  async stopAll(): Promise<void> {
    for (const s of this.list.splice(0).reverse()) await s();
  }
}
