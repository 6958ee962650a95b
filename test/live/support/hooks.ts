/** Root hooks of the live tier (mocha --require): stop the switches, phones and services at the end. */
import { stopAll } from './rig';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await stopAll();
  },
};
