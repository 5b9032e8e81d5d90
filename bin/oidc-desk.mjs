#!/usr/bin/env node
// The `oidc-desk` command: registers tsx (TypeScript loader, resolved next to this file, so any cwd works),
// then runs the CLI entry.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
