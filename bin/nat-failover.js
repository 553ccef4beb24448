#!/usr/bin/env node
'use strict';
// The CLI is TypeScript; tsx compiles it on the fly so the package needs no build step.
require('tsx/cjs');
require('../src/cli/main.ts').run(process.argv.slice(2));
