// How every browser test and the benchmark start Chromium: the distribution's own build (no
// download), headless, and quiet on the network, so that only the pages' own requests are made.
// No imports, so that bench/ can share it without sharing tests/e2e's node_modules.

export const CHROMIUM = process.env.PRESSROOM_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
