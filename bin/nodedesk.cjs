#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so a checkout needs no build step.
require('tsx/cjs');
require('../cli/main.ts').main();
