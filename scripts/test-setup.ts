// Loaded before every test file: keep in-process logs quiet unless they matter.
import { setLogLevel } from '../appliance/src/logging/index.ts';

setLogLevel('warn');
