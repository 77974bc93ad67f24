/** `npm run test:setup`: what the tests need besides npm's packages (Debian packages, code-server), installed once. */
import { ensureCodeServer } from './codeServer';

ensureCodeServer();
