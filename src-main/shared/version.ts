/** The workbench's version, from package.json (bundled into each build; read by tsx at run time). */
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
