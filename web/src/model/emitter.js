// A small typed event emitter (wavesurfer's shape): on() returns its own unsubscribe function.

/**
 * @template {Record<string, unknown[]>} Events
 */
export class Emitter {
  /** @type {Map<keyof Events, Set<(...args: any[]) => void>>} */
  #listeners = new Map();

  /**
   * @template {keyof Events} E
   * @param {E} event
   * @param {(...args: Events[E]) => void} listener
   * @returns {() => void} unsubscribe
   */
  on(event, listener) {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.un(event, listener);
  }

  /**
   * @template {keyof Events} E
   * @param {E} event
   * @param {(...args: Events[E]) => void} listener
   * @returns {() => void} unsubscribe
   */
  once(event, listener) {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  /**
   * @template {keyof Events} E
   * @param {E} event
   * @param {(...args: Events[E]) => void} listener
   */
  un(event, listener) {
    this.#listeners.get(event)?.delete(listener);
  }

  unAll() {
    this.#listeners.clear();
  }

  /**
   * @template {keyof Events} E
   * @param {E} event
   * @param {Events[E]} args
   */
  emit(event, ...args) {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) listener(...args);
  }
}
