#!/usr/bin/env node
// The published CLI runs the compiled code; `npm install` builds it (the `prepare` script).
import { main } from '../dist/app/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
