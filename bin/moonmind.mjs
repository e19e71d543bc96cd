#!/usr/bin/env node
// The installed `moonmind` command: TypeScript is loaded through tsx resolved from this package, with this
// package's tsconfig (not the caller's directory's), so it runs from any cwd after `npm link` or a global install.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../cli/main.ts');
