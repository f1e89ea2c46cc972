/**
 * The `ffr` command. Every failure ends as one sentence on stderr and a non-zero exit; with --json,
 * stdout holds exactly one JSON document (or nothing, on failure).
 */
import { Command, CommanderError } from 'commander';
import { createApp, type App } from '../services/app';
import { registerDemo } from './commands/demo';
import { registerExport } from './commands/export';
import { registerInfo } from './commands/info';
import { registerPrune } from './commands/prune';
import { registerRuns } from './commands/runs';
import { registerServe } from './commands/serve';
import { registerSlurm } from './commands/slurm';
import { registerStudy } from './commands/study';
import { registerTrain } from './commands/train';
import { dropOutputWhenPipeCloses } from './output';
import { VERSION } from '../shared/version';

/** Opens the services for one command and always closes them (trainers included). */
async function withApp<T>(fn: (app: App) => Promise<T>): Promise<T> {
  const app = createApp();
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('ffr')
    .description('FFR Workbench: structured pruning by feature flow regularization')
    .version(VERSION)
    .showHelpAfterError(false)
    .exitOverride()
    // Help goes to stderr so that --json output stays clean; commander's own "error: …" lines are
    // dropped because the catch below prints every failure once, as one sentence.
    .configureOutput({
      writeOut: (s) => process.stderr.write(s),
      writeErr: (s) => {
        if (!s.startsWith('error:')) process.stderr.write(s);
      },
    });
  registerInfo(program);
  registerTrain(program, withApp);
  registerRuns(program, withApp);
  registerPrune(program, withApp);
  registerExport(program, withApp);
  registerStudy(program, withApp);
  registerDemo(program, withApp);
  registerServe(program);
  registerSlurm(program, withApp);
  return program;
}

/** One clear sentence for any error: our messages are sentences already. */
function sentence(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const trimmed = message.replace(/^error: /, '').trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

dropOutputWhenPipeCloses();

try {
  await buildProgram().parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exit(0);
    // Our option parsers already name the option; drop commander's "option … is invalid." preamble.
    const message = e.code === 'commander.invalidArgument' ? e.message.replace(/^.*? is invalid\. /, '') : e.message;
    process.stderr.write(`ffr: ${sentence(message)}\n`);
    process.exit(2);
  }
  process.stderr.write(`ffr: ${sentence(e)}\n`);
  process.exit(1);
}
